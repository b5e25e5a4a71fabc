package io.ferry.gateway;

import io.ferry.http.hook.BodySink;
import io.ferry.http.Exchange;
import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.upstream.Errno;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request to an upstream group over one or more {@link UpstreamAttempt}s, nginx's
 * ngx_http_upstream with the protocol as callbacks: pick a peer, take a pooled connection or
 * connect on the client's event loop, send the request body as it arrives (kept while small, so a
 * retry can send it again), retry on the next peer as the next_upstream settings allow (never once
 * a response byte reached the client), and end the exchange exactly once.
 */
public abstract class UpstreamExchange implements BodySink {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    protected final Exchange ex;
    final UpstreamGroup group;
    private final NextUpstream next;
    private final Duration connectTimeout;
    final Duration readTimeout;
    final Duration sendTimeout;
    private final Set<Peer> tried = new HashSet<>();
    private final long started = System.nanoTime();
    final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
    final ReplayBuffer replay = new ReplayBuffer();
    boolean replayOnConnect;
    UpstreamAttempt attempt;
    boolean finished;

    protected UpstreamExchange(Exchange ex, UpstreamGroup group, NextUpstream next,
            Duration connectTimeout, Duration readTimeout, Duration sendTimeout) {
        this.ex = ex;
        this.group = group;
        this.next = next;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.sendTimeout = sendTimeout;
    }

    /** The attempt on {@code peer}: the protocol's codec state for one connection. */
    protected abstract UpstreamAttempt newAttempt(Peer peer);

    /** The upstream as the error log names it; {@code peer} is null when none could be picked. */
    protected abstract String upstreamUrl(Peer peer);

    /** False for a protocol whose upstream request carries no body: the client's body is then never read. */
    protected boolean sendsBody() {
        return true;
    }

    public void start() {
        ex.onAbort(this::abortFromClient);
        if (sendsBody()) {
            ex.bodySink(this);
            if (HttpUtil.is100ContinueExpected(ex.request()) && !ex.expectsNoBody() && !ex.requestComplete()) {
                ex.context().writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
        }
        nextAttempt(null);
    }

    /** {@code lastStatus}: what the client gets if no peer is left (null before the first attempt). */
    final void nextAttempt(HttpResponseStatus lastStatus) {
        Peer peer = group.select(ex, tried);
        if (peer == null) {
            if (lastStatus == null) {
                logError("no live upstreams while connecting to upstream", null);
            }
            fail(lastStatus == null ? HttpResponseStatus.BAD_GATEWAY : lastStatus);
            return;
        }
        tried.add(peer);
        UpstreamAttempt a = newAttempt(peer);
        attempt = a;
        Channel pooled = group.pooled(ex.channel(), peer);
        if (pooled != null && !a.speaks(pooled)) {
            group.release(pooled, peer, false);
            pooled = null;
        }
        if (pooled != null) {
            a.attach(pooled);
            a.connected();
            return;
        }
        ChannelFuture connect = group.connect(ex.channel(), peer, connectTimeout, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                a.installCodec(ch);
                a.attach(ch);
            }
        });
        connect.addListener((ChannelFutureListener) f -> {
            if (a != attempt) {
                f.channel().close();
            } else if (f.isSuccess()) {
                a.connected();
            } else {
                boolean timeout = f.cause() instanceof ConnectTimeoutException;
                a.failed(timeout ? Condition.TIMEOUT : Condition.ERROR,
                        timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
                        (timeout ? "upstream timed out (110: Connection timed out)" : "connect() failed (" + Errno.describe(f.cause()) + ")")
                                + " while connecting to upstream");
            }
        });
    }

    final boolean mayRetry(Condition cond, boolean requestSent) {
        return !finished && !ex.responseStarted() && RetryRule.allows(next, cond, tried.size(), System.nanoTime() - started,
                ex.request().method(), requestSent, replay.replayable());
    }

    /** Each chunk goes to the current attempt (or waits for its connection) and, while small, is kept for a retry. */
    @Override
    public void onBody(HttpContent chunk) {
        if (finished) {
            chunk.release();
            return;
        }
        replay.offer(chunk);
        UpstreamAttempt a = attempt;
        if (a != null && a.requestSent && a.channel.isActive()) {
            a.writeBody(chunk, true);
        } else {
            pending.add(chunk);
        }
    }

    /** Before the response started the client gets an error page; after, the connection is cut. */
    protected final void fail(HttpResponseStatus status) {
        if (finished) {
            return;
        }
        finished = true;
        closeAttempt();
        releaseBody();
        if (ex.responseStarted()) {
            ex.abort();
        } else {
            ex.sendError(status, !ex.requestComplete());
        }
    }

    private void abortFromClient() {
        finished = true;
        closeAttempt();
        releaseBody();
    }

    private void closeAttempt() {
        UpstreamAttempt a = attempt;
        attempt = null;
        if (a != null) {
            a.dispose();
            if (a.channel != null) {
                a.channel.close();
            }
        }
    }

    final void releaseBody() {
        releasePending();
        replay.release();
    }

    final void releasePending() {
        HttpContent c;
        while ((c = pending.poll()) != null) {
            c.release();
        }
    }

    /** nginx's error_log line for an upstream problem, so existing log alerts keep matching. */
    protected final void logError(String what, Peer peer) {
        LOG.error("*{} {}, client: {}, server: {}, request: \"{} {} {}\", upstream: \"{}\", host: \"{}\"",
                ex.connection(), what, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(),
                upstreamUrl(peer), ex.request().headers().get(HttpHeaderNames.HOST, ""));
    }
}
