package io.ferry.stream.realip;

import static io.ferry.conf.Context.STREAM;
import static io.ferry.conf.Context.STREAM_SERVER;

import io.ferry.conf.ConfException;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.access.AccessRule;
import io.ferry.module.realip.RealIpModule;
import io.ferry.module.realip.RealIpResolver;
import io.ferry.stream.StreamContext;
import io.ferry.stream.StreamHandler;
import io.ferry.stream.StreamHandlerModule;
import io.ferry.stream.StreamPhase;
import io.ferry.variable.ConnectionVariable;
import io.ferry.variable.SocketText;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * nginx's ngx_stream_realip_module: a session from a trusted peer (set_real_ip_from, the same
 * lines as http's) takes its client from the PROXY protocol header, in the post-accept phase;
 * $realip_remote_addr and $realip_remote_port keep the peer's own.
 */
public final class StreamRealIpModule implements StreamHandlerModule {
    @Override
    public String name() {
        return "stream_realip_module";
    }

    @Override
    public List<String> configureArguments() {
        return List.of("--with-stream_realip_module");
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("set_real_ip_from", EnumSet.of(STREAM, STREAM_SERVER), 1, 1, null, true);
    }

    @Override
    public Map<String, ConnectionVariable> variables() {
        return Map.of("realip_remote_addr", s -> s instanceof StreamContext c ? SocketText.address(c.peer()) : null,
                "realip_remote_port", s -> s instanceof StreamContext c ? SocketText.port(c.peer()) : null);
    }

    @Override
    public StreamPhase phase() {
        return StreamPhase.POST_ACCEPT;
    }

    @Override
    public StreamHandler handler(Level server) throws ConfException {
        List<AccessRule> trusted = RealIpModule.trusted(server);
        if (trusted.isEmpty()) {
            return null;
        }
        return s -> {
            InetSocketAddress client = RealIpResolver.fromProxyProtocol(trusted, s.peer(), s.proxyProtocol());
            if (client != null) {
                s.realAddress(client);
            }
            return StreamHandler.NEXT;
        };
    }
}
