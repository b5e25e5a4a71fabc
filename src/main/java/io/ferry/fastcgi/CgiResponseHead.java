package io.ferry.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CGI header block at the start of a responder's STDOUT (RFC 3875 section 6.3), read
 * incrementally across records: lines end with LF or CRLF, an empty line ends the block.
 * {@code Status:} gives the status (default 200, or 302 with a {@code Location:}), and the headers
 * describing the upstream connection never reach the client.
 */
final class CgiResponseHead {
    /** What the client gets: status, reason phrase (null: the standard one) and headers in order, repeats kept. */
    record Parsed(int status, String reason, List<Map.Entry<String, String>> headers) {
        String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }
    }

    static final class InvalidHeaderException extends Exception {
        InvalidHeaderException(String message) {
            super(message);
        }
    }

    /** Hop-by-hop headers describe the upstream connection, never the client's (fastcgi_pass_header cannot pass them). */
    private static final Set<String> HIDDEN = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
            "proxy-connection", "te", "trailer");
    /** fastcgi_hide_header's default list, which fastcgi_pass_header may shorten. */
    static final Set<String> DEFAULT_HIDDEN = Set.of("status", "x-accel-expires", "x-accel-redirect", "x-accel-limit-rate",
            "x-accel-buffering", "x-accel-charset");

    private final int limit;
    private final List<String> lines = new ArrayList<>();
    private ByteBuf buffer;
    private int lineStart;
    private boolean done;

    CgiResponseHead(int limit) {
        this.limit = limit;
    }

    boolean done() {
        return done;
    }

    /**
     * Takes STDOUT bytes (the caller keeps ownership of {@code data}). Returns null while the block is
     * incomplete; once it is complete, the bytes after it (the start of the body, possibly empty),
     * owned by the caller.
     */
    ByteBuf feed(ByteBufAllocator alloc, ByteBuf data) throws InvalidHeaderException {
        if (buffer == null) {
            buffer = alloc.buffer(Math.max(256, data.readableBytes()));
        }
        if (buffer.readableBytes() + data.readableBytes() > limit + FastCgi.MAX_CONTENT) {
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
    Parsed parse() throws InvalidHeaderException {
        return parse(lines);
    }

    static Parsed parse(List<String> lines) throws InvalidHeaderException {
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
        if (status == 0) {
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

    void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
