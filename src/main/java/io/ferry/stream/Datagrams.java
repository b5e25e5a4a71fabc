package io.ferry.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The datagram sockets of UDP sessions. Netty's drops a message with no bytes, while a session
 * relays each datagram as it came, an empty one included (as nginx does): those go straight to the
 * socket, from its event loop. The JDK sends none on a connected socket (its write of no bytes
 * makes no system call), so an upstream socket shares its port (SO_REUSEPORT) with a short-lived
 * unconnected one that sends it from the same address and port; answers still come to the
 * connected socket, the more specific match.
 */
final class Datagrams {
    private static final AttributeKey<DatagramChannel> SOCKET = AttributeKey.valueOf("ferry.datagram.socket");
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private Datagrams() {
    }

    /** New Netty datagram channels that keep their socket at hand; {@code upstream}: one that shares its port. */
    static ChannelFactory<Channel> factory(boolean upstream) {
        return () -> {
            try {
                DatagramChannel socket = DatagramChannel.open();
                if (upstream) {
                    socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                Channel ch = new NioDatagramChannel(socket);
                ch.attr(SOCKET).set(socket);
                return ch;
            } catch (IOException e) {
                throw new ChannelException("cannot open a datagram socket", e);
            }
        };
    }

    /** Sends {@code data} on {@code ch}: to {@code to}, or (null) to the address the socket is connected to. */
    static void send(Channel ch, ByteBuf data, InetSocketAddress to) {
        if (data.isReadable()) {
            ch.writeAndFlush(to == null ? data : new DatagramPacket(data, to));
            return;
        }
        data.release();
        try {
            if (to != null) {
                ch.attr(SOCKET).get().send(EMPTY.duplicate(), to);
                return;
            }
            try (DatagramChannel side = DatagramChannel.open()) {
                side.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                side.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                side.bind(ch.localAddress());
                side.send(EMPTY.duplicate(), ch.remoteAddress());
            }
        } catch (IOException e) {
            ch.pipeline().fireExceptionCaught(e);
        }
    }
}
