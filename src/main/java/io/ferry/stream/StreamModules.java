package io.ferry.stream;

import io.ferry.conf.ConfException;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.stream.access.StreamAccessModule;
import io.ferry.stream.geo.StreamGeoModule;
import io.ferry.stream.realip.StreamRealIpModule;
import io.ferry.stream.set.StreamSetModule;
import io.ferry.stream.splitclients.StreamSplitClientsModule;
import io.ferry.stream.sslpreread.StreamSslPrereadModule;
import io.ferry.variable.ConnectionVariable;
import io.ferry.variable.Variables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The stream block's modules beyond proxying (nginx's stream part of ngx_modules.c), one line
 * each; within a phase, handlers run in this order.
 */
public final class StreamModules {
    private static final List<StreamHandlerModule> ALL = List.of(
            new StreamRealIpModule(),
            new StreamSetModule(),
            new StreamAccessModule(),
            new StreamGeoModule(),
            new StreamSplitClientsModule(),
            new StreamSslPrereadModule());

    private StreamModules() {
    }

    static void directives(DirectiveRows rows) {
        ALL.forEach(m -> m.directives(rows));
    }

    /** nginx's names of these modules, which -V does not name absent. */
    public static Set<String> names() {
        return ALL.stream().map(StreamHandlerModule::name).collect(Collectors.toUnmodifiableSet());
    }

    public static List<String> configureArguments() {
        return ALL.stream().flatMap(m -> m.configureArguments().stream()).toList();
    }

    /** Stream's own variables: the core's ({@code core}) and every module's. */
    static Map<String, ConnectionVariable> variables(Map<String, ConnectionVariable> core) {
        Map<String, ConnectionVariable> all = new HashMap<>(core);
        ALL.forEach(m -> all.putAll(m.variables()));
        return all;
    }

    static void defineVariables(Level stream, Variables variables) throws ConfException {
        for (StreamHandlerModule m : ALL) {
            m.defineVariables(stream, variables);
        }
    }

    /** A server's handlers in phase order; those of PREREAD run after the TLS handshake. */
    static StreamPhases phases(Level server) throws ConfException {
        List<StreamHandler> handlers = new ArrayList<>();
        int preread = -1;
        for (StreamPhase phase : StreamPhase.values()) {
            if (phase == StreamPhase.PREREAD) {
                preread = handlers.size();
            }
            for (StreamHandlerModule m : ALL) {
                if (m.phase() == phase) {
                    StreamHandler h = m.handler(server);
                    if (h != null) {
                        handlers.add(h);
                    }
                }
            }
        }
        return new StreamPhases(List.copyOf(handlers), preread);
    }
}
