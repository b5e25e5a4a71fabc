package io.ferry.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on 127.0.0.1 that stays silent, for timeout tests: either it never completes a TCP
 * handshake (its accept queue is kept full, so Linux drops further SYNs and a connect hangs) or it
 * accepts and then neither reads nor writes (a small receive buffer, so a large request stalls).
 */
public final class SilentPeer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private SilentPeer(ServerSocket server) {
        this.server = server;
    }

    /** A listening port whose connects never complete. */
    public static SilentPeer unaccepting() throws IOException {
        SilentPeer peer = new SilentPeer(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        for (int i = 0; i < 64; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.port()), 300);
                peer.held.add(s);
            } catch (SocketTimeoutException e) {
                s.close();
                return peer;
            }
        }
        peer.close();
        throw new IllegalStateException("the accept queue of port " + peer.port() + " never filled up");
    }

    /** A port that accepts every connection, then never reads from it nor writes to it. */
    public static SilentPeer mute() throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReceiveBufferSize(4096);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        SilentPeer peer = new SilentPeer(server);
        Thread acceptor = new Thread(peer::acceptForever, "silent-peer-" + peer.port());
        acceptor.setDaemon(true);
        acceptor.start();
        return peer;
    }

    private void acceptForever() {
        while (!server.isClosed()) {
            try {
                held.add(server.accept());
                accepted.incrementAndGet();
            } catch (IOException e) {
                return;
            }
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections a mute peer accepted. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
