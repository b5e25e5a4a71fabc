package io.ferry.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CGI header block at the start of a responder's STDOUT (RFC 3875 section 6.3), read
 * incrementally across records: lines end with LF or CRLF, an empty line ends the block.
 * {@code Status:} gives the status (default 200, or 302 with a {@code Location:}), and the headers
 * describing the upstream connection never reach the client. uwsgi and SCGI applications may
 * start with an HTTP status line instead, as nginx's uwsgi and scgi modules accept.
 */
public final class CgiResponseHead {
    /** What the client gets: status, reason phrase (null: the standard one) and headers in order, repeats kept. */
    public record Parsed(int status, String reason, List<Map.Entry<String, String>> headers) {
        public String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }
    }

    public static final class InvalidHeaderException extends Exception {
        public InvalidHeaderException(String message) {
            super(message);
        }
    }

    /** Hop-by-hop headers describe the upstream connection, never the client's (fastcgi_pass_header cannot pass them). */
    private static final Set<String> HIDDEN = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
            "proxy-connection", "te", "trailer");
    /** fastcgi_hide_header's default list, which fastcgi_pass_header may shorten. */
    public static final Set<String> DEFAULT_HIDDEN = Set.of("status", "x-accel-expires", "x-accel-redirect", "x-accel-limit-rate",
            "x-accel-buffering", "x-accel-charset");

    /** "HTTP/x.y NNN reason": what nginx's ngx_http_parse_status_line takes. */
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\d\\.\\d ([1-9]\\d\\d)(?: (.*))?");
    /** Room for one more read beyond {@code limit}: a line may end just past it. */
    private static final int SLACK = 0xffff;

    private final int limit;
    private final boolean statusLine;
    private final List<String> lines = new ArrayList<>();
    private ByteBuf buffer;
    private int lineStart;
    private boolean done;

    public CgiResponseHead(int limit) {
        this(limit, false);
    }

    /** With {@code statusLine}, a first line "HTTP/1.1 200 OK" gives the status (uwsgi, SCGI). */
    public CgiResponseHead(int limit, boolean statusLine) {
        this.limit = limit;
        this.statusLine = statusLine;
    }

    public boolean done() {
        return done;
    }

    /**
     * Takes STDOUT bytes (the caller keeps ownership of {@code data}). Returns null while the block is
     * incomplete; once it is complete, the bytes after it (the start of the body, possibly empty),
     * owned by the caller.
     */
    public ByteBuf feed(ByteBufAllocator alloc, ByteBuf data) throws InvalidHeaderException {
        if (buffer == null) {
            buffer = alloc.buffer(Math.max(256, data.readableBytes()));
        }
        if (buffer.readableBytes() + data.readableBytes() > limit + SLACK) {
            throw new InvalidHeaderException("upstream sent too big header");
        }
        buffer.writeBytes(data, data.readerIndex(), data.readableBytes());
        while (true) {
            int nl = buffer.indexOf(lineStart, buffer.writerIndex(), (byte) '\n');
            if (nl < 0) {
                if (buffer.writerIndex() > limit) {
                    throw new InvalidHeaderException("upstream sent too big header");
                }
                return null;
            }
            int end = nl > lineStart && buffer.getByte(nl - 1) == '\r' ? nl - 1 : nl;
            String line = buffer.toString(lineStart, end - lineStart, StandardCharsets.ISO_8859_1);
            lineStart = nl + 1;
            if (line.isEmpty()) {
                if (nl > limit) {
                    throw new InvalidHeaderException("upstream sent too big header");
                }
                done = true;
                ByteBuf rest = buffer.retainedSlice(lineStart, buffer.writerIndex() - lineStart);
                release();
                return rest;
            }
            lines.add(line);
        }
    }

    /** The parsed block; only after {@link #feed} returned the body's start. */
    public Parsed parse() throws InvalidHeaderException {
        if (statusLine && !lines.isEmpty()) {
            Matcher m = STATUS_LINE.matcher(lines.get(0));
            if (m.matches()) {
                String reason = m.group(2) == null || m.group(2).isBlank() ? null : m.group(2).trim();
                return parse(lines.subList(1, lines.size()), Integer.parseInt(m.group(1)), reason);
            }
        }
        return parse(lines);
    }

    static Parsed parse(List<String> lines) throws InvalidHeaderException {
        return parse(lines, 0, null);
    }

    /** {@code lineStatus} (0: none) comes from a status line and wins over a Status header, as in nginx. */
    private static Parsed parse(List<String> lines, int lineStatus, String lineReason) throws InvalidHeaderException {
        int status = 0;
        String reason = null;
        boolean location = false;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new InvalidHeaderException("upstream sent invalid header: \"" + line + "\"");
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.isEmpty() || !token(name)) {
                throw new InvalidHeaderException("upstream sent invalid header: \"" + line + "\"");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new InvalidHeaderException("upstream sent invalid header: \"" + line + "\"");
                }
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("status")) {
                int sp = value.indexOf(' ');
                String code = sp < 0 ? value : value.substring(0, sp);
                if (code.length() != 3 || !code.chars().allMatch(Character::isDigit) || code.charAt(0) == '0') {
                    throw new InvalidHeaderException("upstream sent invalid status \"" + value + "\"");
                }
                status = Integer.parseInt(code);
                reason = sp < 0 || value.substring(sp + 1).isBlank() ? null : value.substring(sp + 1).trim();
            }
            if (lower.equals("location") && !value.isEmpty()) {
                location = true;
            }
            if (!HIDDEN.contains(lower)) {
                headers.add(Map.entry(name, value));
            }
        }
        if (lineStatus != 0) {
            status = lineStatus;
            reason = lineReason;
        } else if (status == 0) {
            status = location ? 302 : 200;
        }
        return new Parsed(status, reason, List.copyOf(headers));
    }

    private static boolean token(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
