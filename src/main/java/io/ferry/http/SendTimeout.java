package io.ferry.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * send_timeout: a client that takes no data for that long while some is waiting for it is cut
 * off. An idle connection with nothing to send is not. One lazily re-armed timer per connection,
 * not one per write.
 */
public final class SendTimeout extends IdleStateHandler {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    public SendTimeout(Duration timeout) {
        super(true, 0, timeout.toMillis(), 0, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (evt.state() != IdleState.WRITER_IDLE) {
            return;
        }
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        if (pending != null && pending.totalPendingWriteBytes() > 0) {
            LOG.info("client timed out (110: Connection timed out) while sending response to client, client: {}",
                    ctx.channel().remoteAddress());
            HttpConnectionHandler connection = ctx.pipeline().get(HttpConnectionHandler.class);
            if (connection != null) {
                connection.timedOut();
            }
            ctx.close();
        }
    }
}
