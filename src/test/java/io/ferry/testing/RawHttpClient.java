package io.ferry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A byte-exact HTTP/1.1 client on a raw socket (optionally TLS): writes exactly what it is given,
 * reads one response at a time, keeps repeated headers apart (Set-Cookie).
 */
public final class RawHttpClient implements AutoCloseable {
    public record Response(String statusLine, int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(", ", values);
        }

        public List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The server closed (or reset) the connection before a complete response head or chunk size. */
    public static final class Closed extends IOException {
        Closed(String why) {
            super(why);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttpClient(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
        socket.setSoTimeout(20_000);
    }

    /** A client on a socket the caller connected and tuned (timeouts, buffer sizes). */
    public static RawHttpClient over(Socket socket) throws IOException {
        return new RawHttpClient(socket);
    }

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public static RawHttpClient tls(SSLContext context, int port) throws IOException {
        RawHttpClient client = new RawHttpClient(context.getSocketFactory().createSocket("127.0.0.1", port));
        client.socket.setSoTimeout(20_000);
        return client;
    }

    /** One GET of {@code target} on a connection of its own to {@code port}, closed after the response. */
    public static Response getOnce(int port, String target) throws IOException {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.get(target);
        }
    }

    public RawHttpClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttpClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** One GET with Host: localhost, read whole. */
    public Response get(String target) throws IOException {
        return send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
    }

    public Response read() throws IOException {
        return read(false);
    }

    public Response read(boolean head) throws IOException {
        String statusLine = line();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.computeIfAbsent(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(l.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head || status == 204 || status == 304 || status < 200) {
            return new Response(statusLine, status, headers, body.toByteArray());
        }
        List<String> te = headers.get("transfer-encoding");
        List<String> cl = headers.get("content-length");
        if (te != null && te.get(0).equalsIgnoreCase("chunked")) {
            while (true) {
                int size = Integer.parseInt(line().split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(size));
                line();
            }
        } else if (cl != null) {
            body.write(in.readNBytes(Integer.parseInt(cl.get(0))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(statusLine, status, headers, body.toByteArray());
    }

    /** True when the server closed the connection (EOF before any byte). */
    public boolean closedByPeer() throws IOException {
        return in.read() < 0;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        if (c < 0 && sb.length() == 0) {
            throw new Closed("connection closed");
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
