package io.ferry.module.geo;

import io.ferry.module.access.IpLiteral;
import io.ferry.variable.ConnectionScope;
import io.ferry.variable.ConnectionVariable;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Template;
import java.net.InetAddress;

/**
 * A geo variable: the value for the client's address (or the address {@code $src} holds), after
 * nginx's X-Forwarded-For step when the address is a trusted {@code proxy}. An address that cannot
 * be found or parsed is looked up as 255.255.255.255, as nginx does.
 */
final class GeoVariable implements ConnectionVariable {
    private static final byte[] NONE = {-1, -1, -1, -1};

    private final Template source;
    private final Networks<String> networks;
    private final GeoRanges ranges;
    private final String rangesDefault;
    private final Networks<Boolean> proxies;
    private final boolean recursive;

    GeoVariable(Template source, Networks<String> networks, GeoRanges ranges, String rangesDefault,
                Networks<Boolean> proxies, boolean recursive) {
        this.source = source;
        this.networks = networks;
        this.ranges = ranges;
        this.rangesDefault = rangesDefault;
        this.proxies = proxies;
        this.recursive = recursive;
    }

    @Override
    public String value(ConnectionScope scope) {
        byte[] a = address(scope);
        if (ranges == null) {
            String v = networks.find(a == null ? NONE : a);
            return v == null ? "" : v;
        }
        long v4 = a == null || a.length != 4 ? 0xffffffffL
                : (a[0] & 0xffL) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | a[3] & 0xff;
        String v = ranges.find(v4);
        return v == null ? rangesDefault : v;
    }

    private byte[] address(ConnectionScope scope) {
        String text = source == null ? scope.remoteAddr() : source.render(scope);
        InetAddress a = text == null ? null : IpLiteral.parse(text);
        if (a == null) {
            return null;
        }
        byte[] addr = a.getAddress();
        String xff = proxies.isEmpty() || !(scope instanceof RequestScope request) ? null : request.requestHeader("x-forwarded-for");
        if (xff == null || proxies.find(addr) == null) {
            return addr;
        }
        String[] hops = xff.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = IpLiteral.parse(hops[i].trim());
            if (hop == null) {
                return addr;
            }
            addr = hop.getAddress();
            if (!recursive || proxies.find(addr) == null) {
                return addr;
            }
        }
        return addr;
    }
}
