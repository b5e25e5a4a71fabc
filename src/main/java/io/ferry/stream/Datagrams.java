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
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The datagram sockets of UDP sessions. Netty's drops a message with no bytes, while a session
 * relays each datagram as it came, an empty one included (as nginx does): those go straight to the
 * socket, from its event loop.
 */
final class Datagrams {
    private static final AttributeKey<DatagramChannel> SOCKET = AttributeKey.valueOf("ferry.datagram.socket");
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private Datagrams() {
    }

    /** New Netty datagram channels that keep their socket at hand. */
    static ChannelFactory<Channel> factory() {
        return () -> {
            try {
                DatagramChannel socket = DatagramChannel.open();
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
            // send, not write: the JDK's write of no bytes returns without a system call
            ch.attr(SOCKET).get().send(EMPTY.duplicate(), to == null ? ch.remoteAddress() : to);
        } catch (IOException e) {
            ch.pipeline().fireExceptionCaught(e);
        }
    }
}
