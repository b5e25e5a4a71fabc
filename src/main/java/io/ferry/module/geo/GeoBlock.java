package io.ferry.module.geo;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.access.IpLiteral;
import io.ferry.variable.Template;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The entries of one geo block, read as nginx's ngx_http_geo does, with its errors and warnings. */
final class GeoBlock {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final Cidr ANY4 = new Cidr(new byte[4], 0);
    private static final Cidr ANY6 = new Cidr(new byte[16], 0);

    private final Networks<String> networks = new Networks<>();
    private final Networks<Boolean> proxies = new Networks<>();
    private GeoRanges ranges;
    private String rangesDefault = "";
    private boolean recursive;
    private boolean http;

    private GeoBlock() {
    }

    /** {@code http}: proxy and proxy_recursive are directives of the block (stream's geo has no X-Forwarded-For). */
    static GeoVariable parse(Directive block, Template source, boolean http) throws ConfException {
        GeoBlock geo = new GeoBlock();
        geo.http = http;
        for (Directive entry : block.block()) {
            geo.entry(entry);
        }
        if (geo.ranges == null) {
            // nginx's null value for addresses no network holds, unless a default was written
            geo.networks.insert(ANY4, "");
            geo.networks.insert(ANY6, "");
        }
        return new GeoVariable(source, geo.networks, geo.ranges, geo.rangesDefault, geo.proxies, geo.recursive);
    }

    private void entry(Directive e) throws ConfException {
        if (e.hasBlock()) {
            throw Values.error(e, "invalid number of the geo parameters");
        }
        if (e.args().isEmpty() && e.name().equals("ranges")) {
            if (!networks.isEmpty()) {
                throw Values.error(e, "the \"ranges\" directive must be the first directive inside \"geo\" block");
            }
            ranges = new GeoRanges();
            return;
        }
        if (http && e.args().isEmpty() && e.name().equals("proxy_recursive")) {
            recursive = true;
            return;
        }
        if (e.args().size() != 1) {
            throw Values.error(e, "invalid number of the geo parameters");
        }
        String arg = e.args().get(0);
        if (http && e.name().equals("proxy")) {
            proxies.insert(Cidr.parse(e, arg), Boolean.TRUE);
        } else if (ranges != null) {
            range(e, arg);
        } else {
            network(e, arg);
        }
    }

    private void network(Directive e, String arg) throws ConfException {
        if (e.name().equals("default")) {
            add(e, ANY4, arg, "default");
            add(e, ANY6, arg, "default");
            return;
        }
        boolean delete = e.name().equals("delete");
        String net = delete ? arg : e.name();
        Cidr cidr = Cidr.parse(e, net);
        if (delete) {
            if (!networks.delete(cidr)) {
                warn(e, "no network \"" + net + "\" to delete");
            }
            return;
        }
        add(e, cidr, arg, net);
    }

    private void add(Directive e, Cidr cidr, String value, String net) {
        if (!networks.insert(cidr, value)) {
            warn(e, "duplicate network \"" + net + "\", value: \"" + value + "\", old value: \"" + networks.get(cidr) + "\"");
            networks.delete(cidr);
            networks.insert(cidr, value);
        }
    }

    private void range(Directive e, String arg) throws ConfException {
        if (e.name().equals("default")) {
            rangesDefault = arg;
            return;
        }
        boolean delete = e.name().equals("delete");
        String net = delete ? arg : e.name();
        int dash = net.indexOf('-');
        long start = dash < 0 ? -1 : v4(net.substring(0, dash));
        long end = dash < 0 ? -1 : v4(net.substring(dash + 1));
        if (start < 0 || end < 0 || start > end) {
            throw Values.error(e, "invalid range \"" + net + "\"");
        }
        if (delete) {
            if (!ranges.delete(start, end)) {
                warn(e, "no address range \"" + net + "\" to delete");
            }
            return;
        }
        GeoRanges.Added added = ranges.add(start, end, arg);
        if (added.overlaps() != null) {
            throw Values.error(e, "range \"" + net + "\" overlaps \"" + added.overlaps() + "\"");
        }
        if (added.duplicateOf() != null) {
            warn(e, "duplicate range \"" + net + "\", value: \"" + arg + "\", old value: \"" + added.duplicateOf() + "\"");
        }
    }

    /** An IPv4 address as an unsigned number; -1 for anything else, 255.255.255.255 included (nginx's INADDR_NONE). */
    private static long v4(String text) {
        InetAddress a = text.indexOf(':') < 0 ? IpLiteral.parse(text) : null;
        if (a == null || a.getAddress().length != 4) {
            return -1;
        }
        byte[] b = a.getAddress();
        long n = (b[0] & 0xffL) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
        return n == 0xffffffffL ? -1 : n;
    }

    private static void warn(Directive e, String detail) {
        LOG.warn("{} in {}:{}", detail, e.file(), e.line());
    }
}
