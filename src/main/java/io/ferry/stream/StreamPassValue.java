package io.ferry.stream;

import io.ferry.resolver.PassAddress;
import io.ferry.resolver.RuntimeUpstream;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamNames;
import io.ferry.variable.ConnectionScope;
import io.ferry.variable.Template;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;

/**
 * A stream {@code proxy_pass} with variables, found per session as nginx's ngx_stream_proxy_eval
 * and ngx_stream_proxy_handler find it: an upstream block of that name (or the implicit group of
 * another proxy_pass's host and port), else an address. nginx would ask the block's resolver for
 * any other name; Ferry resolves names in stream only for upstream servers, so such a session ends
 * as nginx's without a resolver does (502).
 */
public record StreamPassValue(Template value, UpstreamNames names) {
    /**
     * Where a session goes ({@code shared}: a group of the block, whose state every session shares;
     * else one of the session's own), or why it goes nowhere: nginx's error line and the session's status.
     */
    record Target(Upstream upstream, boolean shared, String error, int status) {
    }

    Target find(ConnectionScope session) {
        String text = value.render(session);
        StringBuilder error = new StringBuilder();
        PassAddress pass = PassAddress.parse(text, 0, error);
        if (pass == null) {
            return new Target(null, false, error.toString(), 500);
        }
        Upstream named = names.find(pass.host(), pass.port(), pass.noPort());
        if (named != null) {
            return new Target(named, true, null, 0);
        }
        if (pass.noPort()) {
            return new Target(null, false, "no port in upstream \"" + text + "\"", 500);
        }
        String host = pass.host();
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(
                host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
        if (address == null) {
            return new Target(null, false, "no resolver defined to resolve " + host, 502);
        }
        return new Target(RuntimeUpstream.resolved(host, pass.port(), List.of(address)), false, null, 0);
    }
}
