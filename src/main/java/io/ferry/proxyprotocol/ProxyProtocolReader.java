package io.ferry.proxyprotocol;

import io.ferry.variable.SocketText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PROXY protocol header (v1 or v2, through Netty's decoder) that a listener with
 * {@code proxy_protocol} expects before anything else, and keeps it on the channel as a
 * {@link ProxyHeader}; the handlers behind it see only what follows. A broken or missing header
 * closes the connection with nginx's "broken header" error line; either way an {@link Outcome}
 * goes down the pipeline. There is no timer here: the listener's own one covers the header
 * (client_header_timeout in HTTP, proxy_protocol_timeout in stream), as in nginx.
 */
public final class ProxyProtocolReader {
    /** The user event the reader sends down the pipeline once the header is read or found broken. */
    public enum Outcome { READ, BROKEN }

    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    /** The v2 signature with version 2; byte 13, after it, is the address family and transport. */
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int FAMILY = 13;
    private static final String RESULT = "proxy-protocol";
    /** nginx's longest v1 header, and so how much of a broken header it prints. */
    private static final int V1_MAX = 107;

    private final String action;
    private String seen = "";

    private ProxyProtocolReader(String action) {
        this.action = action;
    }

    /** Whether {@code p} still waits for its header. */
    public static boolean pending(ChannelPipeline p) {
        return p.get(RESULT) != null;
    }

    /** Puts the reader first in {@code p}; {@code action} ends the error line, as nginx's log action. */
    public static void install(ChannelPipeline p, String action) {
        ProxyProtocolReader r = new ProxyProtocolReader(action);
        p.addFirst(RESULT, r.new Result());
        p.addFirst("proxy-protocol-decoder", new HAProxyMessageDecoder());
        p.addFirst("proxy-protocol-start", r.new Start());
    }

    /**
     * Sees the first bytes: keeps them for the error line and, for a v2 header whose family nginx
     * does not take addresses from (UNIX, UDP, an unknown one), makes it UNSPEC so that Netty's
     * decoder skips the addresses as nginx does instead of refusing the header.
     */
    private final class Start extends ChannelInboundHandlerAdapter {
        private ByteBuf held;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            held = held == null ? in : Unpooled.wrappedBuffer(held, in);
            if (held.readableBytes() <= FAMILY && startsV2(held, held.readableBytes())) {
                ctx.read();
                return;
            }
            ByteBuf all = held;
            held = null;
            seen = all.toString(all.readerIndex(), Math.min(V1_MAX, all.readableBytes()), StandardCharsets.ISO_8859_1);
            // nginx prints a broken header up to its first line end
            seen = seen.split("[\r\n]", 2)[0];
            if (startsV2(all, V2.length)) {
                int family = all.getUnsignedByte(all.readerIndex() + FAMILY);
                if (family != 0x11 && family != 0x21) {
                    ByteBuf copy = ctx.alloc().buffer(all.readableBytes()).writeBytes(all);
                    all.release();
                    all = copy.setByte(FAMILY, 0x00);
                }
            }
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(all);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (held != null) {
                held.release();
                held = null;
            }
        }
    }

    private static boolean startsV2(ByteBuf b, int n) {
        for (int i = 0; i < Math.min(n, V2.length); i++) {
            if (b.getByte(b.readerIndex() + i) != V2[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes the decoded header off the pipeline's way, or logs the broken one. Reads are explicit:
     * when nothing followed the header in its read, it asks for the bytes its followers asked for.
     */
    private final class Result extends ChannelInboundHandlerAdapter {
        private boolean header;
        private boolean forwarded;
        private boolean broken;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HAProxyMessage m) {
                try {
                    ProxyHeader.keep(ctx.channel(), m);
                } finally {
                    m.release();
                }
                header = true;
                ctx.fireUserEventTriggered(Outcome.READ);
                return;
            }
            forwarded = true;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (header) {
                if (!forwarded) {
                    ctx.read();
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof HAProxyProtocolException)) {
                ctx.fireExceptionCaught(cause);
                return;
            }
            // the decoder fails again when the closed connection ends its input: one line is enough
            if (!broken) {
                broken = true;
                LOG.error("broken header: \"{}\" while {}, client: {}, server: {}:{}", seen, action,
                        SocketText.address(ctx.channel().remoteAddress()), SocketText.address(ctx.channel().localAddress()),
                        SocketText.port(ctx.channel().localAddress()));
                ctx.fireUserEventTriggered(Outcome.BROKEN);
            }
            ctx.close();
        }
    }
}
