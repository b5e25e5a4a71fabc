package io.ferry.gateway;

import io.ferry.http.Exchange;
import io.ferry.http.UpstreamTiming;
import io.ferry.http.body.SpooledBody;
import io.ferry.cache.HttpCache;
import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.upstream.Errno;
import io.ferry.upstream.Peer;
import io.ferry.upstream.PeerDialer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * One connection to one peer, whose events its {@link UpstreamLink} hands to the attempt using it;
 * late events of an abandoned attempt are ignored. The engine sends the request, streams the
 * response to the client with read-after-write backpressure and applies read/send timeouts; the
 * protocol's subclass encodes the request and maps what its codec decodes onto the client's response.
 */
public abstract class UpstreamAttempt {
    private final UpstreamExchange owner;
    private final Exchange ex;
    private final UpstreamGroup group;
    private final Peer peer;
    private final UpstreamTiming timing;
    Channel channel;
    private UpstreamLink link;
    boolean requestSent;
    private boolean writePending;
    private ChannelFuture lastDownstreamWrite;
    /** Where this attempt is in a body read whole before it began; null when the body streams. */
    private SpooledBody.Reader wholeBody;
    /** The response body's buffer when buffered; null when it streams. */
    private ResponseBuffer buffer;
    /** The connection's read budget while a buffered body is read at a limited rate; null otherwise. */
    private ReadLimit limit;
    /** A read waits for the budget: the pause is not the upstream's silence. */
    private boolean limitWait;

    protected UpstreamAttempt(UpstreamExchange owner, Peer peer) {
        this.owner = owner;
        this.ex = owner.ex;
        this.group = owner.group;
        this.peer = peer;
        this.timing = ex.upstreamAttempt(peer.server().addressText());
    }

    // ---- protocol hooks ------------------------------------------------------------------------

    /** Bytes a second the body may be read at while it is buffered (proxy_limit_rate); 0 for no limit. */
    protected long limitRate() {
        return 0;
    }

    /** Adds the protocol's codec to a new connection; without one the protocol reads the raw bytes. */
    protected void installCodec(Channel ch) {
    }

    /** Writes (without flushing) what precedes the request body; may end the exchange instead. */
    protected abstract void writeRequest();

    /** Decoded upstream data of the current attempt; the protocol owns {@code msg}. */
    protected abstract void onMessage(Object msg);

    /** What goes upstream for one request body chunk (ownership passes), or null when nothing does. */
    protected Object encodeBody(HttpContent chunk) {
        return chunk;
    }

    /** Whether a pooled connection, possibly parked by another protocol on a shared upstream block, is usable. */
    protected boolean speaks(Channel pooled) {
        return true;
    }

    /** Releases the protocol's buffers of an attempt that ends without completing. */
    protected void dispose() {
    }

    // ---- for the protocol ----------------------------------------------------------------------

    /** Whether the response head was passed on, or would have been to a client that went away. */
    protected final boolean responding() {
        return ex.responseStarted() || owner.clientGone;
    }

    protected final Peer peer() {
        return peer;
    }

    protected final Channel channel() {
        return channel;
    }

    protected final UpstreamTiming timing() {
        return timing;
    }

    protected final boolean current() {
        return owner.attempt == this && !owner.finished;
    }

    protected final void logError(String what) {
        owner.logError(what, peer);
    }

    /** The response head goes to the client, its body streamed; the exchange can no longer be retried. */
    protected final void respond(HttpResponse head) {
        respond(head, null);
    }

    /** As {@link #respond(HttpResponse)}, the body buffered as {@code buffering} says (null: streamed). */
    protected final void respond(HttpResponse head, BufferSettings buffering) {
        if (owner.clientGone) {
            return;
        }
        ex.prepare(head, false);
        lastDownstreamWrite = ex.write(head);
        if (buffering != null) {
            buffer = new ResponseBuffer(ex, buffering);
            owner.buffer = buffer;
            limit = limitRate() > 0 ? ReadLimit.of(channel) : null;
            if (limit != null) {
                limit.begin(limitRate());
            }
        }
    }

    protected final void forward(HttpContent content) {
        timing.body(content.content().readableBytes());
        if (owner.tee != null) {
            owner.tee.body(content.content());
        }
        if (owner.clientGone) {
            content.release();
        } else if (buffer != null) {
            buffer.add(content.content().retain());
            content.release();
        } else {
            lastDownstreamWrite = ex.write(content);
        }
    }

    /** The response is complete: the last chunk goes to the client, the connection back to the pool when reusable. */
    protected final void finish(LastHttpContent last, boolean reusable) {
        timing.body(last.content().readableBytes());
        if (owner.tee != null) {
            owner.tee.body(last.content());
            owner.tee.end();
            owner.tee = null;
        }
        end();
        succeeded();
        ChannelFutureListener completes = f -> ex.complete(f.isSuccess());
        if (owner.clientGone) {
            last.release();
        } else if (buffer != null) {
            // The connection goes back first: a slow client no longer holds it.
            handBack(reusable && !writePending);
            buffer.end(last, completes);
            return;
        } else {
            ex.writeAndFlush(last).addListener(completes);
        }
        handBack(reusable && !writePending);
    }

    /** The upstream's part is over and the protocol answers the client itself; the connection goes back to the pool when reusable. */
    protected final void releaseConnection(boolean reusable) {
        end();
        handBack(reusable);
    }

    /** The response is not passed on (error_page answers instead): its connection is closed. */
    protected final void discard() {
        end();
        dispose();
        channel.close();
        owner.releasePending();
    }

    /**
     * The connection's events go to {@code handler} from now on, in place of this attempt's (a protocol
     * switch); its bytes are still counted for this attempt's log line.
     */
    protected final void redirectEvents(String name, ChannelHandler handler) {
        channel.pipeline().replace(UpstreamLink.NAME, name, handler);
    }

    /** A protocol switch: the peer answered and the caller now owns both the connection and the client's side. */
    protected final void handOver() {
        owner.finished = true;
        owner.attempt = null;
        succeeded();
        ex.onAbort(null);
        owner.releasePending();
    }

    protected final void succeeded() {
        group.succeeded(peer);
    }

    protected final boolean mayRetry(Condition cond) {
        return owner.mayRetry(cond, requestSent);
    }

    /** Whether an answer the peer gave moves on to the next one: only while a peer is left to try. */
    protected final boolean mayRetryAnswer(Condition cond) {
        return owner.mayRetryAnswer(cond, requestSent);
    }

    /** Moves on to the next peer; {@code status} is what the client gets if none is left. */
    protected final void retry(HttpResponseStatus status) {
        timing.finished();
        abandon();
        owner.replayOnConnect = requestSent;
        owner.nextAttempt(status);
    }

    /** An HTTP status next_upstream names (http_502, ...) moves on to the next peer while that is allowed. */
    protected final boolean retryOnStatus(HttpResponseStatus status) {
        int code = status.code();
        Condition cond = NextUpstream.forStatus(code);
        if (cond != null && !mayRetryAnswer(cond) && HttpCache.staleAllowed(ex, cond)) {
            // nginx's ngx_http_upstream_test_next: an expired entry answers instead of the peer
            timing.finished();
            owner.fail(status, cond);
            return true;
        }
        if (cond == null || !mayRetryAnswer(cond)) {
            return false;
        }
        if (code != 403 && code != 404) {
            group.failed(peer, "reading response header from upstream");
        }
        logError("upstream answered " + code + ", trying the next one");
        retry(status);
        return true;
    }

    /** The attempt failed before any response byte went out: count it, then retry or answer. */
    protected final void failed(Condition cond, HttpResponseStatus status, String what) {
        if (!current()) {
            return;
        }
        timing.finished();
        logError(what);
        group.failed(peer, "connecting to upstream");
        if (mayRetry(cond)) {
            retry(status);
        } else {
            owner.fail(status, cond);
        }
    }

    /** The response already started, so nothing can be retried: the client connection is cut. {@code failedWhile}: count it against the peer. */
    protected final void cutOff(HttpResponseStatus status, String what, String failedWhile) {
        timing.finished();
        logError(what);
        if (failedWhile != null) {
            group.failed(peer, failedWhile);
        }
        owner.fail(status);
    }

    // ---- engine --------------------------------------------------------------------------------

    private void end() {
        if (limit != null) {
            limit.end();
            limit = null;
        }
        owner.finished = true;
        owner.attempt = null;
        timing.finished();
    }

    private void handBack(boolean reusable) {
        link.detach();
        group.release(channel, peer, reusable);
        owner.releasePending();
    }

    private void abandon() {
        owner.attempt = null;
        dispose();
        if (channel != null) {
            channel.close();
        }
    }

    /** This attempt as the dialer drives it until its connection is ready. */
    PeerDialer.Attempt dialing() {
        return new PeerDialer.Attempt() {
            @Override
            public void init(Channel ch) {
                ReadLimit.install(ch);
                installCodec(ch);
                UpstreamLink.install(ch);
                attach(ch);
            }

            @Override
            public boolean accepts(Channel pooled) {
                return speaks(pooled);
            }

            @Override
            public boolean wanted() {
                return current();
            }

            @Override
            public void connected(Channel ch, boolean pooled) {
                if (pooled) {
                    attach(ch);
                }
                UpstreamAttempt.this.connected();
            }

            @Override
            public void failed() {
                if (current()) {
                    timing.finished();
                    abandon();
                }
            }
        };
    }

    private void attach(Channel ch) {
        channel = ch;
        link = UpstreamLink.of(ch);
        link.attach(this, timing, owner.readTimeout, owner.sendTimeout);
    }

    private void connected() {
        timing.connected();
        link.start();
        requestSent = true;
        writeRequest();
        if (!current()) {
            return;
        }
        if (owner.whole != null) {
            wholeBody = owner.whole.reader();
            writeWholeBody();
        } else if (owner.replayOnConnect && ex.keptBody() != null) {
            // (memcached keeps no body: a GET has none to send again)
            owner.releasePending();
            // what went before is sent again at once (it fits client_body_buffer_size), ahead of any chunk still to come
            SpooledBody.Reader again = ex.keptBody().reader();
            HttpContent c;
            while ((c = again.next(channel.alloc())) != null) {
                writeBody(c, false);
            }
            owner.replayOnConnect = false;
        } else {
            HttpContent c;
            while ((c = owner.pending.poll()) != null) {
                writeBody(c, false);
            }
        }
        channel.flush();
        if (owner.sendsBody() && wholeBody == null && !ex.requestComplete() && !writePending) {
            ex.requestMoreBody();
        }
        channel.read();
    }

    void writeBody(HttpContent chunk, boolean flush) {
        if (!channel.isActive()) {
            chunk.release();
            return;
        }
        boolean last = chunk instanceof LastHttpContent;
        Object msg = encodeBody(chunk);
        if (msg == null) {
            if (!last && current()) {
                moreBody();
            }
            return;
        }
        writePending = true;
        link.wrote();
        ChannelFuture w = flush ? channel.writeAndFlush(msg) : channel.write(msg);
        w.addListener((ChannelFutureListener) done -> {
            writePending = false;
            link.wrote();
            if (done.isSuccess() && !last && current()) {
                moreBody();
            }
        });
    }

    private void moreBody() {
        if (wholeBody != null) {
            writeWholeBody();
        } else {
            ex.requestMoreBody();
        }
    }

    /** The next piece of a body read whole, once the last one was written: a file is read only as fast as the peer takes it. */
    private void writeWholeBody() {
        HttpContent c;
        try {
            c = wholeBody.next(channel.alloc());
        } catch (java.io.UncheckedIOException e) {
            logError("cannot read client request body from its temporary file (" + e.getCause().getMessage() + ")");
            owner.fail(HttpResponseStatus.INTERNAL_SERVER_ERROR);
            return;
        }
        if (c != null) {
            writeBody(c, true);
        }
    }

    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!current()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        onMessage(msg);
    }

    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!current()) {
            return;
        }
        ex.flush();
        if (buffer != null) {
            if (buffer.hasRoom()) {
                limitedRead(ctx);
            } else {
                buffer.whenRoom(() -> {
                    if (current()) {
                        limitedRead(ctx);
                    }
                });
            }
            return;
        }
        ChannelFuture w = lastDownstreamWrite;
        if (w == null || w.isDone()) {
            ctx.read();
        } else {
            w.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && current()) {
                    ctx.read();
                }
            });
        }
    }

    /** The next read once the read budget allows it, as nginx delays the upstream's read event. */
    private void limitedRead(ChannelHandlerContext ctx) {
        long wait = limit == null ? 0 : limit.waitMillis();
        if (wait == 0) {
            limitWait = false;
            ctx.read();
            return;
        }
        limitWait = true;
        ctx.executor().schedule(() -> {
            if (current()) {
                limitedRead(ctx);
            }
        }, wait, TimeUnit.MILLISECONDS);
    }

    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && current()) {
            // A codec has already turned an EOF-delimited body's end into its last message.
            channelInactive(ctx);
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess() && current()) {
            if (hs.cause() instanceof SslHandshakeTimeoutException) {
                timedOut("SSL handshaking to upstream");
            } else {
                failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY,
                        "SSL_do_handshake() failed (" + hs.cause().getMessage() + ") while SSL handshaking to upstream");
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Nothing arrived for proxy_read_timeout: a timeout unless the wait is the client's, the request's or the rate limit's. */
    void readIdle() {
        boolean waitingOnClient = buffer != null ? buffer.waitingOnClient()
                : lastDownstreamWrite != null && !lastDownstreamWrite.isDone();
        if (current() && !waitingOnClient && !writePending && !limitWait) {
            timedOut(ex.responseStarted() ? "reading upstream" : "reading response header from upstream");
        }
    }

    /** No request body write ended for proxy_send_timeout. */
    void writeIdle() {
        if (current() && writePending) {
            timedOut("sending request to upstream");
        }
    }

    private void timedOut(String while_) {
        String what = "upstream timed out (110: Connection timed out) while " + while_;
        if (ex.responseStarted()) {
            cutOff(HttpResponseStatus.GATEWAY_TIMEOUT, what, while_);
        } else {
            failed(Condition.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, what);
        }
    }

    public void channelInactive(ChannelHandlerContext ctx) {
        if (!current()) {
            return;
        }
        if (ex.responseStarted()) {
            cutOff(HttpResponseStatus.BAD_GATEWAY, "upstream prematurely closed connection while reading upstream", null);
        } else {
            failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY,
                    "upstream prematurely closed connection while reading response header from upstream");
        }
    }

    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (current()) {
            String what = "recv() failed (" + Errno.describe(cause) + ") while "
                    + (ex.responseStarted() ? "reading upstream" : "reading response header from upstream");
            if (ex.responseStarted()) {
                cutOff(HttpResponseStatus.BAD_GATEWAY, what, null);
            } else {
                failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY, what);
            }
        }
        ctx.close();
    }
}
