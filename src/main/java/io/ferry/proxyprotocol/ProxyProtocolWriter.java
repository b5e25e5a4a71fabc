package io.ferry.proxyprotocol;

import io.ferry.variable.SocketText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The v1 header a stream server with {@code proxy_protocol on} sends its upstream first, as nginx's
 * ngx_proxy_protocol_write: the client's and the listening socket's addresses, or UNKNOWN for
 * anything but IP.
 */
public final class ProxyProtocolWriter {
    private ProxyProtocolWriter() {
    }

    public static ByteBuf header(SocketAddress client, SocketAddress local) {
        return Unpooled.copiedBuffer(line(client, local), StandardCharsets.US_ASCII);
    }

    static String line(SocketAddress client, SocketAddress local) {
        if (!(client instanceof InetSocketAddress c && c.getAddress() != null)
                || !(local instanceof InetSocketAddress l && l.getAddress() != null)) {
            return "PROXY UNKNOWN\r\n";
        }
        return "PROXY " + (c.getAddress() instanceof Inet4Address ? "TCP4 " : "TCP6 ")
                + SocketText.address(c) + " " + SocketText.address(l) + " " + c.getPort() + " " + l.getPort() + "\r\n";
    }
}
