package io.ferry.tls;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.Mapping;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * Chooses a server's TLS context by SNI, and ends the handshake of a server with ssl_reject_handshake
 * on as nginx does: a fatal unrecognized_name alert in answer to the ClientHello, before any
 * certificate is sent.
 */
public final class RejectingSniHandler extends SniHandler {
    /** An alert record: fatal (2), unrecognized_name (112). */
    private static final byte[] UNRECOGNIZED_NAME = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 112};

    /** What the SNI mapping gives for a name whose server rejects handshakes; never makes an engine. */
    static final SslContext REJECT = rejecting();

    public RejectingSniHandler(Mapping<? super String, ? extends SslContext> mapping) {
        super(mapping);
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) throws Exception {
        if (sslContext != REJECT) {
            super.replaceHandler(ctx, hostname, sslContext);
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(UNRECOGNIZED_NAME)).addListener(ChannelFutureListener.CLOSE);
    }

    private static SslContext rejecting() {
        try {
            return new DelegatingSslContext(SslContextBuilder.forClient().build()) {
                @Override
                protected void initEngine(SSLEngine engine) {
                    throw new IllegalStateException("a rejected handshake has no engine");
                }
            };
        } catch (SSLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
