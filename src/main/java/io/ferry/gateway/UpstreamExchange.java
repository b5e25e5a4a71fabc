package io.ferry.gateway;

import io.ferry.http.hook.BodySink;
import io.ferry.http.Exchange;
import io.ferry.http.body.SpooledBody;
import io.ferry.cache.HttpCache;
import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.upstream.Peer;
import io.ferry.upstream.PeerDialer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One request to an upstream group over one or more {@link UpstreamAttempt}s, nginx's
 * ngx_http_upstream with the protocol as callbacks: get a connection to a peer through a
 * {@link PeerDialer}, send the request body read whole before (each attempt from its first byte)
 * or as it arrives (a retry can send it again while the exchange's copy of it is whole), retry on the next peer as the next_upstream settings allow (never once
 * a response byte reached the client), and end the exchange exactly once.
 */
public abstract class UpstreamExchange implements BodySink {

    protected final Exchange ex;
    final UpstreamGroup group;
    private final NextUpstream next;
    final Duration readTimeout;
    final Duration sendTimeout;
    private final PeerDialer dialer;
    /** What the client gets if the current dial finds no peer after an attempt failed for an HTTP reason. */
    private HttpResponseStatus lastStatus;
    final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
    /** The body read whole before this exchange began, which every attempt sends from its start; null when it streams. */
    SpooledBody whole;
    boolean replayOnConnect;
    UpstreamAttempt attempt;
    boolean finished;
    /** The buffered response body still going to the client, released however the exchange ends. */
    ResponseBuffer buffer;
    /** The client went away and PREFIX_ignore_client_abort keeps the upstream's response coming, to be dropped. */
    boolean clientGone;
    /** A copy of the response body being taken (the cache's writer), or null. */
    protected ResponseTee tee;

    protected UpstreamExchange(Exchange ex, UpstreamGroup group, NextUpstream next,
            Duration connectTimeout, Duration readTimeout, Duration sendTimeout) {
        this.ex = ex;
        this.group = group;
        this.next = next;
        this.dialer = new PeerDialer(group, ex, ex.channel(), next, connectTimeout, new Dialing());
        this.readTimeout = readTimeout;
        this.sendTimeout = sendTimeout;
    }

    /** The attempt on {@code peer}: the protocol's codec state for one connection. */
    protected abstract UpstreamAttempt newAttempt(Peer peer);

    /** The upstream as the error log names it; {@code peer} is null when none could be picked. */
    protected abstract String upstreamUrl(Peer peer);

    /** PREFIX_ignore_client_abort: whether the upstream's response is still read after the client went away. */
    protected boolean ignoresClientAbort() {
        return false;
    }

    /** False for a protocol whose upstream request carries no body: the client's body is then never read. */
    protected boolean sendsBody() {
        return true;
    }

    public void start() {
        ex.onAbort(this::abortFromClient);
        if (!ignoresClientAbort()) {
            ex.watchClientClose();
        }
        if (sendsBody()) {
            SpooledBody kept = ex.keptBody();
            if (kept != null && kept.whole()) {
                whole = kept;
            } else {
                ex.bodySink(this);
                ex.continueIfExpected();
            }
        }
        nextAttempt(null);
    }

    /** {@code lastStatus}: what the client gets if no peer is left (null before the first attempt). */
    final void nextAttempt(HttpResponseStatus lastStatus) {
        this.lastStatus = lastStatus;
        dialer.dial();
    }

    /** The exchange's side of the dialing: each picked peer gets the protocol's attempt; no connection ends the exchange. */
    private final class Dialing implements PeerDialer.Caller {
        @Override
        public PeerDialer.Attempt attempt(Peer peer) {
            UpstreamAttempt a = newAttempt(peer);
            attempt = a;
            return a.dialing();
        }

        @Override
        public void noPeerLeft(String group) {
            ex.upstreamAttempt(group).finished();
        }

        @Override
        public void exhausted(Condition cause) {
            if (cause == null) {
                Condition last = lastStatus == null ? null : NextUpstream.forStatus(lastStatus.code());
                fail(lastStatus == null ? HttpResponseStatus.BAD_GATEWAY : lastStatus, last == null ? Condition.ERROR : last);
            } else {
                fail(cause == Condition.TIMEOUT ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY, cause);
            }
        }

        @Override
        public void logError(String what, Peer peer) {
            UpstreamExchange.this.logError(what, peer);
        }
    }

    /**
     * An answer the peer gave (a status next_upstream names, memcached's not_found) moves on only
     * while a peer is left; otherwise it is passed on as it came (nginx's ngx_http_upstream_test_next).
     */
    final boolean mayRetryAnswer(Condition cond, boolean requestSent) {
        return dialer.peerLeft() && mayRetry(cond, requestSent);
    }

    final boolean mayRetry(Condition cond, boolean requestSent) {
        return !finished && !ex.responseStarted() && RetryRule.allows(next, cond, dialer.peersTried(), dialer.elapsedNanos(),
                ex.request().method(), requestSent, replayable());
    }

    /** Whether the body can go again: read whole, or its copy still holds all that went. */
    private boolean replayable() {
        SpooledBody kept = ex.keptBody();
        return whole != null || !sendsBody() || kept == null || kept.replayable();
    }

    /** Each chunk goes to the current attempt, or waits for its connection. */
    @Override
    public void onBody(HttpContent chunk) {
        if (finished) {
            chunk.release();
            return;
        }
        UpstreamAttempt a = attempt;
        if (a != null && a.requestSent && a.channel.isActive()) {
            a.writeBody(chunk, true);
        } else {
            pending.add(chunk);
        }
    }

    /** Before the response started the client gets an error page; after, the connection is cut. */
    protected final void fail(HttpResponseStatus status) {
        fail(status, null);
    }

    /** As {@link #fail(HttpResponseStatus)}, an expired cache entry answering instead where PREFIX_cache_use_stale allows {@code cause}. */
    protected final void fail(HttpResponseStatus status, Condition cause) {
        if (finished) {
            return;
        }
        finished = true;
        closeAttempt();
        releasePending();
        if (clientGone || !ex.responseStarted()) {
            releaseBuffer();
            if (!clientGone && !(cause != null && HttpCache.serveStale(ex, cause))) {
                ex.sendError(status, !ex.requestComplete());
            }
        } else if (buffer != null) {
            buffer.cut(this::abortSent);
        } else {
            abortSent();
        }
    }

    /**
     * Cuts the client connection of a response the upstream broke off, once what was already
     * written went out: the client sees everything the upstream sent, and no end of the body.
     */
    private void abortSent() {
        if (ex.isSubrequest()) {
            ex.abort();
            return;
        }
        // raw bytes pass the body filters untouched, so this write completes only after every earlier one
        ex.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ex.abort());
    }

    private void abortFromClient() {
        releaseBuffer();
        if (!finished && attempt != null && ignoresClientAbort()) {
            clientGone = true;
            return;
        }
        finished = true;
        closeAttempt();
        releasePending();
    }

    private void releaseBuffer() {
        if (buffer != null) {
            buffer.release();
        }
    }

    private void closeAttempt() {
        if (tee != null) {
            tee.abort();
            tee = null;
        }
        UpstreamAttempt a = attempt;
        attempt = null;
        if (a != null) {
            // however the attempt ends, its $upstream_response_time is measured to here (nginx's finalize)
            a.timing().finished();
            a.dispose();
            if (a.channel != null) {
                a.channel.close();
            }
        }
    }

    final void releasePending() {
        HttpContent c;
        while ((c = pending.poll()) != null) {
            c.release();
        }
    }

    /** nginx's error_log line for an upstream problem, so existing log alerts keep matching. */
    protected final void logError(String what, Peer peer) {
        ex.errorLog().error("*{} {}, client: {}, server: {}, request: \"{} {} {}\", upstream: \"{}\", host: \"{}\"",
                ex.connection(), what, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(),
                upstreamUrl(peer), ex.request().headers().get(HttpHeaderNames.HOST, ""));
    }
}
