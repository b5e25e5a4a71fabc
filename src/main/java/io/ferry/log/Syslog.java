package io.ferry.log;

import io.ferry.conf.Addresses;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.variable.Host;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@code syslog:} log target (nginx's ngx_syslog): each line one UDP datagram in RFC 3164 form,
 * {@code <PRI>Mmm dd HH:mm:ss HOSTNAME TAG: MESSAGE}. {@code severity} is the access log's; an
 * error line carries its own.
 */
public record Syslog(InetSocketAddress server, int facility, int severity, String tag, boolean nohostname) {
    static final String PREFIX = "syslog:";
    /** The tag operators grep for when the target names none: Ferry's own name, not nginx's. */
    static final String DEFAULT_TAG = "ferry";
    /**
     * nginx cuts an error line at NGX_MAX_ERROR_STR (2048) bytes, its line feed included, before
     * the syslog writer drops that line feed; access lines are sent whole.
     */
    static final int ERROR_LINE_MAX = 2047;

    private static final List<String> FACILITIES = List.of("kern", "user", "mail", "daemon", "auth", "intern", "lpr",
            "news", "uucp", "clock", "authpriv", "ftp", "ntp", "audit", "alert", "cron", "local0", "local1", "local2",
            "local3", "local4", "local5", "local6", "local7");
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    /** One connected socket per server, shared by every target naming it; dropped after a failed send, reopened by the next. */
    private static final Map<InetSocketAddress, DatagramChannel> SOCKETS = new ConcurrentHashMap<>();

    public static boolean named(String target) {
        return target.startsWith(PREFIX);
    }

    /** {@code syslog:server=ADDRESS[:PORT][,facility=F][,severity=S][,tag=T][,nohostname]}, checked as nginx does. */
    public static Syslog parse(Directive d, String target) throws ConfException {
        InetSocketAddress server = null;
        int facility = -1;
        int severity = -1;
        String tag = null;
        boolean nohostname = false;
        for (String p : target.substring(PREFIX.length()).split(",", -1)) {
            if (p.startsWith("server=")) {
                if (server != null) {
                    throw Values.error(d, "duplicate syslog \"server\"");
                }
                server = server(d, p.substring(7));
            } else if (p.startsWith("facility=")) {
                if (facility >= 0) {
                    throw Values.error(d, "duplicate syslog \"facility\"");
                }
                facility = FACILITIES.indexOf(p.substring(9));
                if (facility < 0) {
                    throw Values.error(d, "unknown syslog facility \"" + p.substring(9) + "\"");
                }
            } else if (p.startsWith("severity=")) {
                if (severity >= 0) {
                    throw Values.error(d, "duplicate syslog \"severity\"");
                }
                severity = SeverityFilter.SEVERITIES.indexOf(p.substring(9));
                if (severity < 0) {
                    throw Values.error(d, "unknown syslog severity \"" + p.substring(9) + "\"");
                }
            } else if (p.startsWith("tag=")) {
                if (tag != null) {
                    throw Values.error(d, "duplicate syslog \"tag\"");
                }
                tag = tag(d, p.substring(4));
            } else if (p.equals("nohostname")) {
                nohostname = true;
            } else {
                throw Values.error(d, "unknown syslog parameter \"" + p + "\"");
            }
        }
        if (server == null) {
            throw Values.error(d, "no syslog server specified");
        }
        return new Syslog(server, facility < 0 ? 23 : facility, severity < 0 ? 6 : severity,
                tag == null ? DEFAULT_TAG : tag, nohostname);
    }

    private static InetSocketAddress server(Directive d, String url) throws ConfException {
        if (url.startsWith("unix:")) {
            throw Values.error(d, "unix domain sockets are not supported in syslog server \"" + url + "\"");
        }
        Addresses.HostPort hp = Addresses.parse(d, url, 514, false);
        if (hp.host() == null) {
            throw Values.error(d, "no host in syslog server \"" + url + "\"");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
        } catch (UnknownHostException e) {
            throw Values.error(d, "host not found in syslog server \"" + url + "\"");
        }
    }

    /** RFC 3164: at most 32 alphanumeric characters; nginx lets the underscore in too. */
    private static String tag(Directive d, String tag) throws ConfException {
        if (tag.length() > 32) {
            throw Values.error(d, "syslog tag length exceeds 32");
        }
        for (char c : tag.toCharArray()) {
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_')) {
                throw Values.error(d, "syslog \"tag\" only allows alphanumeric characters and underscore");
            }
        }
        return tag;
    }

    /** The PRI and HEADER parts nginx's ngx_syslog_add_header writes, local time, the day space-padded. */
    String header(int lineSeverity, LocalDateTime now, String hostname) {
        StringBuilder b = new StringBuilder(64).append('<').append(facility * 8 + lineSeverity).append('>')
                .append(MONTHS[now.getMonthValue() - 1]).append(' ')
                .append(String.format(Locale.ROOT, "%2d %02d:%02d:%02d ", now.getDayOfMonth(), now.getHour(),
                        now.getMinute(), now.getSecond()));
        if (!nohostname) {
            b.append(hostname).append(' ');
        }
        return b.append(tag).append(": ").toString();
    }

    /** The datagram for one line: the header, then at most {@code max} bytes of the line. */
    byte[] datagram(int lineSeverity, String line, int max, LocalDateTime now, String hostname) {
        byte[] head = header(lineSeverity, now, hostname).getBytes(StandardCharsets.US_ASCII);
        byte[] body = line.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(body.length, max);
        byte[] out = new byte[head.length + length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, length);
        return out;
    }

    /** An access log line, at the target's severity. */
    void sendAccess(String line) {
        send(datagram(severity, line, Integer.MAX_VALUE, LocalDateTime.now(), HostName.VALUE));
    }

    /** An error line at its own severity (nginx ignores severity= for error_log). */
    void sendError(int lineSeverity, String line) {
        send(datagram(lineSeverity, line, ERROR_LINE_MAX, LocalDateTime.now(), HostName.VALUE));
    }

    /**
     * A non-blocking send on a connected socket, so an event loop never waits: a datagram the
     * socket has no room for, or one the server refused, is lost, as nginx loses it.
     */
    private void send(byte[] datagram) {
        DatagramChannel channel = SOCKETS.get(server);
        try {
            if (channel == null) {
                channel = SOCKETS.computeIfAbsent(server, Syslog::open);
            }
            channel.write(ByteBuffer.wrap(datagram));
        } catch (IOException | RuntimeException e) {
            if (channel != null && SOCKETS.remove(server, channel)) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the socket is dropped either way; the next line opens another
                }
            }
        }
    }

    private static DatagramChannel open(InetSocketAddress server) {
        try {
            DatagramChannel channel = DatagramChannel.open(server.getAddress() instanceof java.net.Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            channel.configureBlocking(false);
            channel.connect(server);
            return channel;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** nginx's cycle hostname: gethostname(), lower-cased, looked up when a line is first sent. */
    private static final class HostName {
        static final String VALUE = Host.name().toLowerCase(Locale.ROOT);
    }
}
