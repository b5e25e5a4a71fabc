package io.ferry.scgi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A small SCGI application on a real socket: reads the netstring of headers (NUL-separated names
 * and values), then CONTENT_LENGTH bytes of body, answers what {@code app} returns and closes,
 * as an SCGI application does.
 */
final class ScgiTestServer implements AutoCloseable {
    /** One request: its headers in the order sent, its body, and the address it came from. */
    record Request(List<String> names, Map<String, String> env, byte[] body, String from) {
        String uri() {
            return env.getOrDefault("REQUEST_URI", "");
        }

        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private final ServerSocket server;
    private final Function<Request, String> app;
    private final Thread acceptor;

    ScgiTestServer(Function<Request, String> app) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.app = app;
        this.acceptor = new Thread(this::accept, "scgi-test-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "scgi-test-request");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            Request request = read(in, s.getInetAddress().getHostAddress());
            out.write(app.apply(request).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the test sees the closed connection
        }
    }

    static Request read(InputStream in, String from) throws IOException {
        int length = 0;
        for (int c = in.read(); c != ':'; c = in.read()) {
            if (c < '0' || c > '9') {
                throw new IOException("bad netstring length byte " + c);
            }
            length = length * 10 + (c - '0');
        }
        byte[] headers = in.readNBytes(length);
        if (headers.length != length || in.read() != ',') {
            throw new IOException("netstring not terminated by ','");
        }
        List<String> names = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < headers.length; i++) {
            if (headers[i] == 0) {
                fields.add(new String(headers, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            names.add(fields.get(i));
            env.put(fields.get(i), fields.get(i + 1));
        }
        int bodyLength = Integer.parseInt(env.getOrDefault("CONTENT_LENGTH", "0"));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(in.readNBytes(bodyLength));
        return new Request(names, env, body.toByteArray(), from);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
