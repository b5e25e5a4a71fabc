package io.ferry.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A cleartext HTTP/2 client that writes request header blocks byte for byte (literal fields, no
 * Huffman, no indexing, or raw HPACK bytes) so a test controls exactly what the server decodes; the
 * answer's header block is decoded with Netty's HPACK decoder.
 */
public final class H2HeadersClient implements AutoCloseable {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1 << 20);
    private int nextStream = 1;

    /** What came back for one stream: its headers and body, or the connection's GOAWAY code. */
    public record Answer(Http2Headers headers, String body, Long goAway) {
        public String status() {
            return headers == null ? null : String.valueOf(headers.status());
        }

        public String header(String name) {
            CharSequence value = headers == null ? null : headers.get(name);
            return value == null ? null : value.toString();
        }
    }

    public H2HeadersClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(PREFACE);
        frame(0x4, 0, 0, new byte[0]);
    }

    /** Sends one GET-like request of literal fields (name, value, name, value...) and reads its answer. */
    public Answer request(String... fields) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (int i = 0; i < fields.length; i += 2) {
            block.write(0x00);
            string(block, fields[i].getBytes(StandardCharsets.ISO_8859_1));
            string(block, fields[i + 1].getBytes(StandardCharsets.ISO_8859_1));
        }
        return requestBlock(block.toByteArray());
    }

    /** Sends {@code block} as a whole request's header block (END_STREAM, END_HEADERS) and reads the answer. */
    public Answer requestBlock(byte[] block) throws IOException {
        int stream = nextStream;
        nextStream += 2;
        frame(0x1, 0x5, stream, block);
        return read(stream);
    }

    /** Reads frames until the server's GOAWAY: its error code, or null when the connection ended without one. */
    public Long goAway() throws IOException {
        return read(-1).goAway();
    }

    private void string(ByteArrayOutputStream block, byte[] bytes) {
        int length = bytes.length;
        if (length < 127) {
            block.write(length);
        } else {
            block.write(127);
            length -= 127;
            while (length >= 128) {
                block.write(length % 128 + 128);
                length /= 128;
            }
            block.write(length);
        }
        block.writeBytes(bytes);
    }

    private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        out.write(head);
        out.write(payload);
        out.flush();
    }

    private Answer read(int stream) throws IOException {
        ByteBuf block = Unpooled.buffer();
        Http2Headers headers = null;
        StringBuilder body = new StringBuilder();
        boolean ended = false;
        Long goAway = null;
        try {
            while (true) {
                int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int id = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == 0x7) {
                    goAway = ((payload[4] & 0xffL) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8) | (payload[7] & 0xff);
                    int last = ((payload[0] & 0x7f) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
                    if (last < stream || goAway != 0) {
                        return new Answer(headers, body.toString(), goAway);
                    }
                }
                if (id != stream) {
                    continue;
                }
                if (type == 0x1 || type == 0x9) {
                    block.writeBytes(payload);
                    if ((flags & 0x4) != 0) {
                        headers = decoder.decodeHeaders(stream, block);
                        block.clear();
                    }
                } else if (type == 0x0) {
                    body.append(new String(payload, StandardCharsets.ISO_8859_1));
                }
                ended |= (type == 0x0 || type == 0x1) && (flags & 0x1) != 0;
                if (ended && !block.isReadable()) {
                    return new Answer(headers, body.toString(), goAway);
                }
            }
        } catch (EOFException | SocketTimeoutException e) {
            return new Answer(headers, body.toString(), goAway);
        } catch (io.netty.handler.codec.http2.Http2Exception e) {
            throw new IOException(e);
        } finally {
            block.release();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
