package io.ferry.variable;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A socket's address and port as $remote_addr, $server_port and their kin print them ("" when not
 * IP); IPv6 in nginx's compressed form ("::1", not Java's "0:0:0:0:0:0:0:1").
 */
public final class SocketText {
    private SocketText() {
    }

    public static String address(SocketAddress a) {
        return a instanceof InetSocketAddress isa && isa.getAddress() != null ? NetUtil.toAddressString(isa.getAddress()) : "";
    }

    public static String port(SocketAddress a) {
        return a instanceof InetSocketAddress isa ? Integer.toString(isa.getPort()) : "";
    }
}
