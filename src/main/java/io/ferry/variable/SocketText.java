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

    /** An IP address as nginx prints it; a unix domain socket is "unix:" and its path, none for a client's. */
    public static String address(SocketAddress a) {
        if (a instanceof io.netty.channel.unix.DomainSocketAddress unix) {
            return "unix:" + (unix.path() == null ? "" : unix.path());
        }
        if (a instanceof java.net.UnixDomainSocketAddress unix) {
            return "unix:" + unix.getPath();
        }
        return a instanceof InetSocketAddress isa && isa.getAddress() != null ? NetUtil.toAddressString(isa.getAddress()) : "";
    }

    public static String port(SocketAddress a) {
        return a instanceof InetSocketAddress isa ? Integer.toString(isa.getPort()) : "";
    }

    /**
     * $binary_remote_addr: the address's 4 or 16 bytes, one char each (a literal never resolves,
     * so this never waits on DNS); anything not IP stays as written, as nginx's address text.
     */
    public static String binary(String address) {
        try {
            boolean literal = address.indexOf(':') >= 0 ? address.matches("[0-9a-fA-F:.]+") : address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
            return literal ? new String(java.net.InetAddress.getByName(address).getAddress(), java.nio.charset.StandardCharsets.ISO_8859_1) : address;
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }
}
