package io.ferry.conf;

import java.util.ArrayList;
import java.util.List;

/** Splits "host:port", "[v6]:port", "*:port" and bare ports the way nginx's ngx_parse_url does. */
public final class Addresses {
    public record HostPort(String host, int port) {
    }

    private Addresses() {
    }

    /** A bare number is a port on every address; host is null for "*" and bare ports. */
    public static HostPort parse(Directive d, String text, int defaultPort, boolean portOnlyAllowed) throws ConfException {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw Values.error(d, "invalid host in \"" + text + "\"");
            }
            host = text.substring(1, close);
            if (close + 1 < text.length()) {
                if (text.charAt(close + 1) != ':') {
                    throw Values.error(d, "invalid host in \"" + text + "\"");
                }
                port = text.substring(close + 2);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0) {
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            } else if (portOnlyAllowed && text.chars().allMatch(Character::isDigit)) {
                host = null;
                port = text;
            } else {
                host = text;
            }
        }
        if (host != null && (host.equals("*") || host.isEmpty())) {
            host = null;
        }
        int p = defaultPort;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw Values.error(d, "invalid port in \"" + text + "\" of the \"" + d.name() + "\" directive");
            }
        }
        return new HostPort(host, p);
    }

    /**
     * listen's address: as {@link #parse}, and a port range "FIRST-LAST" (nginx 1.27.3) stands for
     * one address on each port of it.
     */
    public static List<HostPort> parseListen(Directive d, String text, int defaultPort) throws ConfException {
        int portStart = text.startsWith("[") ? text.indexOf("]:") + 2 : text.lastIndexOf(':') + 1;
        String port = text.substring(portStart);
        if (text.startsWith("unix:") || !port.matches("\\d+-\\d+")) {
            return List.of(parse(d, text, defaultPort, true));
        }
        int dash = port.indexOf('-');
        HostPort first = parse(d, text.substring(0, portStart) + port.substring(0, dash), defaultPort, true);
        long last = port.length() - dash > 6 ? Long.MAX_VALUE : Long.parseLong(port.substring(dash + 1));
        if (last > 65535) {
            throw Values.error(d, "invalid port in \"" + text + "\" of the \"" + d.name() + "\" directive");
        }
        if (last < first.port()) {
            throw Values.error(d, "invalid port range in \"" + text + "\" of the \"" + d.name() + "\" directive");
        }
        List<HostPort> each = new ArrayList<>();
        for (int p = first.port(); p <= last; p++) {
            each.add(new HostPort(first.host(), p));
        }
        return each;
    }
}
