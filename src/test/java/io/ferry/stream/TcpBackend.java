package io.ferry.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A plain-socket backend on 127.0.0.1 that serves every accepted connection with one behaviour, a thread each. */
final class TcpBackend implements AutoCloseable {
    interface Behaviour {
        void serve(Socket s) throws IOException;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcp-backend");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();

    private TcpBackend(Behaviour behaviour, int sendBuffer) throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    open.add(s);
                    if (sendBuffer > 0) {
                        s.setSendBufferSize(sendBuffer);
                    }
                    s.setSoTimeout(30_000);
                    threads.execute(() -> {
                        try (s) {
                            behaviour.serve(s);
                        } catch (IOException e) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    static TcpBackend start(Behaviour behaviour) throws IOException {
        return new TcpBackend(behaviour, 0);
    }

    static TcpBackend start(Behaviour behaviour, int sendBuffer) throws IOException {
        return new TcpBackend(behaviour, sendBuffer);
    }

    /** Echoes every byte until the client's EOF, then closes. */
    static TcpBackend echo() throws IOException {
        return start(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }
}
