package io.ferry.variable;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** A socket's address and port as $remote_addr, $server_port and their kin print them ("" when not IP). */
public final class SocketText {
    private SocketText() {
    }

    public static String address(SocketAddress a) {
        return a instanceof InetSocketAddress isa && isa.getAddress() != null ? isa.getAddress().getHostAddress() : "";
    }

    public static String port(SocketAddress a) {
        return a instanceof InetSocketAddress isa ? Integer.toString(isa.getPort()) : "";
    }
}
