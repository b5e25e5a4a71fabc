package io.ferry.module.range;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The parts of the body to send, as the range filter decided: for a multipart answer each part
 * comes with the text before its bytes (boundary, Content-Type, Content-Range), and the closing
 * boundary follows the last; a single range has neither. {@link #unsatisfiable} answers 416.
 */
public record RangePlan(List<Part> parts, byte[] trailer, boolean unsatisfiable) {
    /** The mark of a response that may be sent in parts, before the filter looked at it. */
    static final RangePlan ALLOWED = new RangePlan(List.of(), new byte[0], false);
    static final RangePlan NOT_SATISFIABLE = new RangePlan(List.of(), new byte[0], true);

    /** {@code header} is empty for a single range. */
    public record Part(byte[] header, long start, long length) {
    }

    static RangePlan single(ByteRanges.Range r) {
        return new RangePlan(List.of(new Part(new byte[0], r.start(), r.length())), new byte[0], false);
    }

    /**
     * nginx's multipart layout: each part is CRLF "--" boundary CRLF, its Content-Type (when the
     * response had one) and Content-Range, a blank line, its bytes; CRLF "--" boundary "--" CRLF ends it.
     */
    static RangePlan multipart(List<ByteRanges.Range> ranges, String boundary, String contentType, long total) {
        String head = "\r\n--" + boundary + "\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Range: bytes ";
        List<Part> parts = ranges.stream()
                .map(r -> new Part(ascii(head + r.start() + "-" + (r.end() - 1) + "/" + total + "\r\n\r\n"),
                        r.start(), r.length()))
                .toList();
        return new RangePlan(parts, ascii("\r\n--" + boundary + "--\r\n"), false);
    }

    /** How many bytes the body has: the parts, their headers and the closing boundary. */
    public long contentLength() {
        long n = trailer.length;
        for (Part p : parts) {
            n += p.header.length + p.length;
        }
        return n;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
