package io.ferry.model;

import io.ferry.net.SocketOptions;
import java.net.InetSocketAddress;

/**
 * listen [ADDR:]PORT [ssl] [http2] [default_server] [proxy_protocol] [socket parameters]; a null host binds
 * every address.
 */
public record Listen(String host, int port, boolean ssl, boolean http2, boolean defaultServer, boolean proxyProtocol,
                     SocketOptions socket, String file, int line) {

    public Listen(String host, int port, boolean ssl, boolean defaultServer, boolean proxyProtocol, SocketOptions socket,
                  String file, int line) {
        this(host, port, ssl, false, defaultServer, proxyProtocol, socket, file, line);
    }

    public Listen(String host, int port, boolean ssl, boolean defaultServer, SocketOptions socket, String file, int line) {
        this(host, port, ssl, false, defaultServer, false, socket, file, line);
    }

    public InetSocketAddress address() {
        return host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** Two listen directives share a socket when they name the same address and port; nginx's spelling of it. */
    public String socketKey() {
        if (host != null && host.startsWith("unix:")) {
            return host;
        }
        String h = host == null || host.equals("*") ? "0.0.0.0" : host;
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }
}
