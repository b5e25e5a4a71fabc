package io.ferry.conf;

import io.ferry.net.SocketOptions;

/** The socket parameters of one listen directive, with nginx's errors for bad values. */
public final class ListenParameters {
    private final Directive d;
    private final boolean ipv6;
    private int backlog = SocketOptions.DEFAULT_BACKLOG;
    private int rcvbuf = -1;
    private int sndbuf = -1;
    private boolean ipv6only = true;
    private boolean reuseport;
    private Boolean keepalive;
    private int keepidle;
    private int keepintvl;
    private int keepcnt;
    private boolean deferred;
    private int fastopen = -1;
    private boolean bind;

    /** {@code host} is the listen's address (null for every address). */
    public ListenParameters(Directive d, String host) {
        this.d = d;
        this.ipv6 = host != null && host.indexOf(':') >= 0;
    }

    /**
     * Takes {@code p} when it is a socket parameter;
     * false for one this class does not know.
     */
    public boolean accept(String p) throws ConfException {
        int eq = p.indexOf('=');
        String name = eq < 0 ? p : p.substring(0, eq + 1);
        String value = eq < 0 ? null : p.substring(eq + 1);
        switch (name) {
            case "bind" -> bind = true;
            case "backlog=" -> backlog = number(value, "backlog", false);
            case "rcvbuf=" -> rcvbuf = buffer(value, "rcvbuf");
            case "sndbuf=" -> sndbuf = buffer(value, "sndbuf");
            case "fastopen=" -> fastopen = number(value, "fastopen", true);
            case "reuseport" -> reuseport = true;
            case "deferred" -> deferred = true;
            case "ipv6only=" -> {
                if (!value.equals("on") && !value.equals("off")) {
                    throw Values.error(d, "invalid ipv6only flags \"" + value + "\"");
                }
                if (!ipv6) {
                    throw Values.error(d, "ipv6only is not supported on addr \"" + d.args().get(0) + "\"");
                }
                ipv6only = value.equals("on");
            }
            case "so_keepalive=" -> keepalive(value);
            default -> {
                return false;
            }
        }
        bind = true;
        return true;
    }

    public SocketOptions options() {
        return new SocketOptions(backlog, rcvbuf, sndbuf, ipv6only, reuseport, keepalive, keepidle, keepintvl,
                keepcnt, deferred, fastopen, bind);
    }

    private int number(String v, String what, boolean zeroAllowed) throws ConfException {
        if (!v.isEmpty() && v.length() < 10 && v.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(v);
            if (n > 0 || zeroAllowed) {
                return n;
            }
        }
        throw Values.error(d, "invalid " + what + " \"" + v + "\"");
    }

    private int buffer(String v, String what) throws ConfException {
        try {
            long n = Values.size(d, v);
            if (n > 0 && n <= Integer.MAX_VALUE) {
                return (int) n;
            }
        } catch (ConfException e) {
            // reported below with nginx's wording
        }
        throw Values.error(d, "invalid " + what + " \"" + v + "\"");
    }

    /** so_keepalive=on|off|[keepidle]:[keepintvl]:[keepcnt]; the timings are seconds and imply on. */
    private void keepalive(String v) throws ConfException {
        if (v.equals("on") || v.equals("off")) {
            keepalive = v.equals("on");
            return;
        }
        String[] parts = v.split(":", -1);
        if (parts.length != 3) {
            throw Values.error(d, "invalid so_keepalive value: \"" + v + "\"");
        }
        int[] values = new int[3];
        for (int i = 0; i < 3; i++) {
            if (!parts[i].isEmpty()) {
                long s = i == 2 ? (parts[i].length() < 10 && parts[i].chars().allMatch(Character::isDigit) ? Long.parseLong(parts[i]) : -1)
                        : Values.seconds(parts[i]);
                if (s <= 0 || s > Integer.MAX_VALUE) {
                    throw Values.error(d, "invalid so_keepalive value: \"" + v + "\"");
                }
                values[i] = (int) s;
            }
        }
        if (values[0] == 0 && values[1] == 0 && values[2] == 0) {
            throw Values.error(d, "invalid so_keepalive value: \"" + v + "\"");
        }
        keepalive = true;
        keepidle = values[0];
        keepintvl = values[1];
        keepcnt = values[2];
    }
}
