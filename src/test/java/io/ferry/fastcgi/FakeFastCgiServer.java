package io.ferry.fastcgi;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A blocking FastCGI responder on 127.0.0.1 for cases php-fpm cannot show: how many connections
 * Ferry opened, the BEGIN_REQUEST flags, and exact STDOUT/STDERR sequences. Honours FCGI_KEEP_CONN.
 */
final class FakeFastCgiServer implements AutoCloseable {
    record Request(int flags, Map<String, String> params, byte[] stdin) {
        boolean keepConn() {
            return (flags & FastCgi.FLAG_KEEP_CONN) != 0;
        }
    }

    /** What to answer: STDOUT bytes, and optional STDERR text sent first. */
    record Answer(String stderr, byte[] stdout) {
        static Answer of(String stdout) {
            return new Answer(null, stdout.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Function<Request, Answer> handler;
    final AtomicInteger connections = new AtomicInteger();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeFastCgiServer(Function<Request, Answer> handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                pool.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                Request r = readRequest(in);
                if (r == null) {
                    return;
                }
                requests.add(r);
                Answer a = handler.apply(r);
                if (a.stderr() != null) {
                    write(out, FastCgi.STDERR, a.stderr().getBytes(StandardCharsets.UTF_8));
                }
                for (int at = 0; at < a.stdout().length; at += 60_000) {
                    int n = Math.min(60_000, a.stdout().length - at);
                    byte[] part = new byte[n];
                    System.arraycopy(a.stdout(), at, part, 0, n);
                    write(out, FastCgi.STDOUT, part);
                }
                write(out, FastCgi.STDOUT, new byte[0]);
                write(out, FastCgi.END_REQUEST, new byte[] {0, 0, 0, 0, FastCgi.REQUEST_COMPLETE, 0, 0, 0});
                out.flush();
                if (!r.keepConn()) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static Request readRequest(DataInputStream in) throws IOException {
        int flags = 0;
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        ByteArrayOutputStream stdin = new ByteArrayOutputStream();
        while (true) {
            int version;
            try {
                version = in.readUnsignedByte();
            } catch (EOFException e) {
                return null;
            }
            if (version != 1) {
                throw new IOException("bad version " + version);
            }
            int type = in.readUnsignedByte();
            in.readUnsignedShort();
            int length = in.readUnsignedShort();
            int padding = in.readUnsignedByte();
            in.readUnsignedByte();
            byte[] content = in.readNBytes(length);
            in.readNBytes(padding);
            switch (type) {
                case FastCgi.BEGIN_REQUEST -> flags = content[2];
                case FastCgi.PARAMS -> params.write(content);
                case FastCgi.STDIN -> {
                    if (length == 0) {
                        Map<String, String> decoded = FastCgiParams.decode(io.netty.buffer.Unpooled.wrappedBuffer(params.toByteArray()));
                        return new Request(flags, decoded, stdin.toByteArray());
                    }
                    stdin.write(content);
                }
                default -> throw new IOException("unexpected record type " + type);
            }
        }
    }

    private static void write(OutputStream out, int type, byte[] content) throws IOException {
        int pad = FastCgi.padding(content.length);
        out.write(new byte[] {1, (byte) type, 0, 1, (byte) (content.length >> 8), (byte) content.length, (byte) pad, 0});
        out.write(content);
        out.write(new byte[pad]);
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
