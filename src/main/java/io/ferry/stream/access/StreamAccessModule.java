package io.ferry.stream.access;

import static io.ferry.conf.Context.STREAM;
import static io.ferry.conf.Context.STREAM_SERVER;

import io.ferry.conf.ConfException;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.access.AccessModule;
import io.ferry.module.access.AccessRule;
import io.ferry.stream.StreamHandler;
import io.ferry.stream.StreamHandlerModule;
import io.ferry.stream.StreamPhase;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's ngx_stream_access_module: allow/deny as http's (the same rules and their errors), checked
 * in the access phase against the client realip named, else the peer; a denied session ends with
 * status 403 before any TLS handshake.
 */
public final class StreamAccessModule implements StreamHandlerModule {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    @Override
    public String name() {
        return "stream_access_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("allow", EnumSet.of(STREAM, STREAM_SERVER), 1, 1, null, true);
        rows.add("deny", EnumSet.of(STREAM, STREAM_SERVER), 1, 1, null, true);
    }

    @Override
    public StreamPhase phase() {
        return StreamPhase.ACCESS;
    }

    @Override
    public StreamHandler handler(Level server) throws ConfException {
        List<AccessRule> rules = AccessModule.rules(server);
        if (rules.isEmpty()) {
            return null;
        }
        return s -> {
            InetSocketAddress client = s.address();
            AccessRule rule = AccessRule.first(rules, client == null ? null : client.getAddress());
            if (rule == null || rule.allow()) {
                return StreamHandler.NEXT;
            }
            LOG.error("access forbidden by rule, client: {}, server: {}", s.remoteAddr(), s.serverText());
            return 403;
        };
    }
}
