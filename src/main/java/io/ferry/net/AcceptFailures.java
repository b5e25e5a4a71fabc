package io.ferry.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * What nginx's ngx_event_accept does when accept() fails: the listening sockets stop accepting for
 * a while (connections wait in the kernel's queue, the open ones are served on) and then try again.
 * Out of descriptors (EMFILE, ENFILE) every retry fails until a connection closes, so the line is
 * written at most once a second rather than once per retry.
 */
@ChannelHandler.Sharable
final class AcceptFailures extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final Marker CRIT = MarkerFactory.getMarker("crit");
    private static final Marker ALERT = MarkerFactory.getMarker("alert");
    /** nginx's accept_mutex_delay default, the pause it takes without an accept mutex. */
    static final long PAUSE_MILLIS = 500;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int EMFILE = 24;
    private static final int ENFILE = 23;

    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException io)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(last, now)) {
            int errno = errno(io);
            String line = "accept() failed (" + (errno > 0 ? errno + ": " : "") + reason(io) + ")";
            LOG.error(errno == EMFILE || errno == ENFILE ? CRIT : ALERT, line);
        }
        ctx.channel().config().setAutoRead(false);
        ctx.channel().eventLoop().schedule(() -> {
            if (ctx.channel().isOpen()) {
                ctx.channel().config().setAutoRead(true);
            }
        }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** epoll's exception carries the errno; the JDK's (NIO) only the system's text. */
    static int errno(IOException e) {
        if (e instanceof Errors.NativeIoException n) {
            return -n.expectedErr();
        }
        String text = String.valueOf(e.getMessage());
        return text.endsWith("Too many open files in system") ? ENFILE
                : text.endsWith("Too many open files") ? EMFILE : 0;
    }

    /** strerror's text: Netty prefixes the call ("accept(..) failed: "), which nginx's line names itself. */
    static String reason(IOException e) {
        String text = String.valueOf(e.getMessage());
        int colon = text.lastIndexOf(": ");
        return colon >= 0 ? text.substring(colon + 2) : text;
    }
}
