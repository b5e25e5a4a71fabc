package io.ferry.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A cleartext HTTP/2 client that writes and reads frames one by one, for tests of request bodies where
 * the exact frames matter (what a client sends after its headers, which WINDOW_UPDATE or RST_STREAM comes
 * back). Header blocks are encoded and decoded by Netty's HPACK; the framing is RFC 9113's, by hand.
 */
public final class H2BodyClient implements AutoCloseable {
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int WINDOW_UPDATE = 0x8;
    public static final int CONTINUATION = 0x9;
    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;

    /** One frame received; a header block (HEADERS and its CONTINUATIONs) is decoded into {@code headers}. */
    public record Frame(int type, int flags, int stream, byte[] payload, Http2Headers headers) {
        public String text() {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }

        public int intPayload() {
            return ((payload[0] & 0x7f) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 64 * 1024);
    private ByteBuf block;

    public H2BodyClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(0x4, 0, 0, new byte[0]);
    }

    /** A SETTINGS frame with one setting, e.g. 0x4 (SETTINGS_INITIAL_WINDOW_SIZE). */
    public void setting(int id, int value) throws IOException {
        frame(0x4, 0, 0, new byte[] {(byte) (id >>> 8), (byte) id, (byte) (value >>> 24), (byte) (value >>> 16),
                (byte) (value >>> 8), (byte) value});
    }

    /** A request's HEADERS: {@code path} on localhost, then name/value pairs (a pseudo-header may be among them). */
    public void request(int stream, String method, String path, boolean endStream, String... fields) throws Exception {
        Http2Headers h = new DefaultHttp2Headers(false).method(method).scheme("http").path(path).authority("localhost");
        for (int i = 0; i < fields.length; i += 2) {
            h.add(fields[i], fields[i + 1]);
        }
        ByteBuf encoded = Unpooled.buffer();
        encoder.encodeHeaders(stream, h, encoded);
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes).release();
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, bytes);
    }

    public void data(int stream, String body, boolean endStream) throws IOException {
        frame(DATA, endStream ? END_STREAM : 0, stream, body.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** DATA frames in one write, so the server reads them together; the last does not end the stream. */
    public void dataTogether(int stream, String... parts) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (String part : parts) {
            byte[] payload = part.getBytes(StandardCharsets.ISO_8859_1);
            all.write(new byte[] {0, (byte) (payload.length >>> 8), (byte) payload.length, DATA, 0,
                    (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
            all.write(payload);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length, (byte) type,
                (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        out.write(head);
        out.write(payload);
        out.flush();
    }

    /** The next frame, or null when none comes within {@code millis}. */
    public Frame next(int millis) throws Exception {
        socket.setSoTimeout(millis);
        byte[] head = new byte[9];
        try {
            in.readFully(head);
        } catch (SocketTimeoutException | java.io.EOFException e) {
            return null;
        }
        int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
        int stream = ((head[5] & 0x7f) << 24) | ((head[6] & 0xff) << 16) | ((head[7] & 0xff) << 8) | (head[8] & 0xff);
        byte[] payload = new byte[length];
        in.readFully(payload);
        int type = head[3];
        Http2Headers headers = null;
        if (type == HEADERS || type == CONTINUATION) {
            block = block == null ? Unpooled.buffer() : block;
            block.writeBytes(payload);
            if ((head[4] & END_HEADERS) != 0) {
                headers = decoder.decodeHeaders(stream, block);
                block.release();
                block = null;
            }
        }
        return new Frame(type, head[4], stream, payload, headers);
    }

    /** Frames up to and including the first that {@code until} accepts; all received when it never comes. */
    public List<Frame> readUntil(Predicate<Frame> until, int millis) throws Exception {
        List<Frame> frames = new ArrayList<>();
        long deadline = System.currentTimeMillis() + millis;
        Frame f;
        while (System.currentTimeMillis() < deadline
                && (f = next((int) Math.max(1, deadline - System.currentTimeMillis()))) != null) {
            frames.add(f);
            if (until.test(f)) {
                break;
            }
        }
        return frames;
    }

    /** The status of the first response HEADERS on {@code stream} among {@code frames}, or null. */
    public static String status(List<Frame> frames, int stream) {
        return frames.stream().filter(f -> f.stream() == stream && f.headers() != null).findFirst()
                .map(f -> String.valueOf(f.headers().status())).orElse(null);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
