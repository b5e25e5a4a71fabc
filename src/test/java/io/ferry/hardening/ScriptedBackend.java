package io.ferry.hardening;

import io.ferry.testing.SocketBackend;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A misbehaving upstream: a {@link SocketBackend} that reads a request head, then runs a script on
 * the raw socket (garbage, oversized headers, truncated bodies, silence, an endless body...). Records
 * every connection and every request head it read; the script can be swapped between requests.
 */
final class ScriptedBackend implements AutoCloseable {
    interface Script {
        void serve(Socket socket, String head) throws Exception;
    }

    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final SocketBackend backend;
    private volatile Script script;

    ScriptedBackend(Script script) throws IOException {
        this.script = script;
        backend = SocketBackend.start(socket -> {
            String head = SocketBackend.readHead(socket.getInputStream());
            if (head != null) {
                heads.add(head);
                this.script.serve(socket, head);
            }
        });
    }

    void script(Script next) {
        this.script = next;
    }

    int port() {
        return backend.port();
    }

    int connections() {
        return backend.connections();
    }

    List<String> heads() {
        return List.copyOf(heads);
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }
}
