package io.ferry.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An HTTP/2 client over a plain socket that writes and reads frames byte by byte, for the cases a
 * real client library will not produce (malformed frames, frames out of order, a stalled window).
 * Header blocks are encoded and decoded with Netty's HPACK.
 */
public final class H2ProtocolClient implements AutoCloseable {
    public static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PUSH_PROMISE = 5, PING = 6,
            GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9;

    /** One frame as it came off the wire. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        public boolean endStream() {
            return (flags & 1) != 0 && (type == DATA || type == HEADERS);
        }

        /** A GOAWAY's or RST_STREAM's error code. */
        public int errorCode() {
            ByteBuffer b = ByteBuffer.wrap(payload);
            return type == GOAWAY ? b.getInt(4) : b.getInt(0);
        }

        /** A GOAWAY's last stream id. */
        public int lastStream() {
            return ByteBuffer.wrap(payload).getInt(0) & 0x7fffffff;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

    private H2ProtocolClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and sends the preface and an empty SETTINGS frame. */
    public static H2ProtocolClient connect(int port) throws IOException {
        H2ProtocolClient c = prefaceOnly(port);
        c.frame(SETTINGS, 0, 0, new byte[0]);
        return c;
    }

    /** Connects and sends the preface alone: the first frame is the caller's. */
    public static H2ProtocolClient prefaceOnly(int port) throws IOException {
        H2ProtocolClient c = new H2ProtocolClient(new Socket("127.0.0.1", port));
        c.out.write(ByteBufUtil.getBytes(Http2CodecUtil.connectionPrefaceBuf()));
        return c;
    }

    public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
        b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        b.put((byte) type).put((byte) flags).putInt(stream).put(payload);
        out.write(b.array());
        out.flush();
    }

    /** A GET (or another method) for {@code path} as one HEADERS frame ending the stream. */
    public void request(int stream, String method, String path) throws IOException {
        Http2Headers h = new DefaultHttp2Headers().method(method).scheme("http").path(path).authority("localhost");
        frame(HEADERS, 0x5, stream, block(h));
    }

    public byte[] block(Http2Headers headers) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(0, headers, buf);
            return ByteBufUtil.getBytes(buf);
        } catch (Http2Exception e) {
            throw new IOException(e);
        } finally {
            buf.release();
        }
    }

    public Http2Headers headers(Frame f) throws IOException {
        ByteBuf buf = Unpooled.wrappedBuffer(f.payload());
        try {
            return decoder.decodeHeaders(f.stream(), buf);
        } catch (Http2Exception e) {
            throw new IOException(e);
        }
    }

    public void windowUpdate(int stream, int increment) throws IOException {
        frame(WINDOW_UPDATE, 0, stream, ByteBuffer.allocate(4).putInt(increment).array());
    }

    /** Frames until one matches {@code last} (included), the connection ends, or {@code millis} pass without a frame. */
    public List<Frame> readUntil(Predicate<Frame> last, int millis) throws IOException {
        List<Frame> frames = new ArrayList<>();
        socket.setSoTimeout(millis);
        try {
            while (true) {
                int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                Frame f = new Frame(type, flags, stream, payload);
                frames.add(f);
                if (last.test(f)) {
                    return frames;
                }
            }
        } catch (SocketTimeoutException | EOFException e) {
            return frames;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return frames;
            }
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
