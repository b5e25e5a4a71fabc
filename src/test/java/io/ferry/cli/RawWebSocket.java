package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RFC 6455 on a plain socket, for both ends of a proxied WebSocket: a test that must see where in the byte stream a
 * close frame lands cannot use a client library that reassembles frames for it.
 */
final class RawWebSocket {
    static final int READ_TIMEOUT_MS = 20_000;
    private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)\\s*$");

    /** A frame as read; {@code masked} says whether it came with a masking key (its payload is unmasked here). */
    record Frame(int opcode, boolean fin, boolean masked, byte[] payload) {
        int closeCode() {
            assertThat(opcode).as("opcode of a close frame").isEqualTo(0x8);
            assertThat(payload.length).as("close frame payload").isGreaterThanOrEqualTo(2);
            return (payload[0] & 0xff) << 8 | payload[1] & 0xff;
        }
    }

    private RawWebSocket() {
    }

    /** Connects to Ferry and completes the opening handshake for {@code path}. */
    static Socket connect(int port, String path) throws IOException {
        return connect(null, port, path);
    }

    /** Like {@link #connect(int, String)}, from the local address {@code from} (any when null). */
    static Socket connect(InetAddress from, int port, String path) throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(READ_TIMEOUT_MS);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** Reads the client's answer to {@link #connect}: must be a 101. */
    static void awaitSwitch(Socket client) throws IOException {
        String head = readHead(client.getInputStream());
        assertThat(head).as("answer to the upgrade").startsWith("HTTP/1.1 101 ");
    }

    /** On the backend side: reads the upgrade request Ferry forwarded and switches protocols. */
    static void acceptUpgrade(Socket backend) throws IOException {
        backend.setSoTimeout(READ_TIMEOUT_MS);
        String head = readHead(backend.getInputStream());
        Matcher key = KEY.matcher(head);
        assertThat(key.find()).as("Sec-WebSocket-Key in %s", head).isTrue();
        backend.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        backend.getOutputStream().flush();
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a header block: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            assertThat(head.size()).as("header block size").isLessThan(16 * 1024);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** A frame's header with the shortest length form for {@code length}, masking key included when masked. */
    static byte[] header(int opcode, long length, byte[] maskKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        int maskBit = maskKey == null ? 0 : 0x80;
        if (length < 126) {
            out.write(maskBit | (int) length);
        } else if (length <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift));
            }
        }
        if (maskKey != null) {
            out.writeBytes(maskKey);
        }
        return out.toByteArray();
    }

    /** Writes a whole frame; a client must mask ({@code masked}), a server must not. */
    static void writeFrame(OutputStream out, int opcode, boolean masked, byte[] payload) throws IOException {
        byte[] key = null;
        byte[] body = payload;
        if (masked) {
            key = new byte[4];
            ThreadLocalRandom.current().nextBytes(key);
            body = payload.clone();
            for (int i = 0; i < body.length; i++) {
                body[i] ^= key[i & 3];
            }
        }
        out.write(header(opcode, payload.length, key));
        out.write(body);
        out.flush();
    }

    static Frame readFrame(InputStream in) throws IOException {
        byte[] two = in.readNBytes(2);
        if (two.length < 2) {
            throw new EOFException("connection closed between frames (" + two.length + " header bytes)");
        }
        boolean masked = (two[1] & 0x80) != 0;
        long length = two[1] & 0x7f;
        if (length >= 126) {
            byte[] ext = readFully(in, length == 126 ? 2 : 8);
            length = 0;
            for (byte b : ext) {
                length = length << 8 | (b & 0xff);
            }
        }
        byte[] key = masked ? readFully(in, 4) : null;
        byte[] payload = readFully(in, Math.toIntExact(length));
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        return new Frame(two[0] & 0x0f, (two[0] & 0x80) != 0, masked, payload);
    }

    static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("connection closed after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }
}
