package io.ferry.fastcgi;

import io.ferry.http.BodySink;
import io.ferry.http.Exchange;
import io.ferry.http.UpstreamTiming;
import io.ferry.model.FastCgiSettings;
import io.ferry.model.NextUpstream;
import io.ferry.model.NextUpstream.Condition;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request to a FastCGI responder over one or more upstream attempts, modeled on the proxy's
 * exchange: pick a peer, take a pooled connection (fastcgi_keep_conn) or connect on the client's
 * event loop, send BEGIN_REQUEST and PARAMS, stream the request body as STDIN records with
 * read-after-write backpressure, read the CGI header block from STDOUT, then stream the rest of
 * STDOUT to the client (chunked when no Content-Length) until END_REQUEST. STDERR goes to the
 * error log. fastcgi_next_upstream retries on the next peer, never once a byte reached the client.
 */
final class FastCgiExchange implements BodySink {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final int MAX_RESPONSE_HEADER = 32 * 1024;
    /** Request body kept for a retry on another peer; a longer body can only be sent once. */
    private static final int REPLAY_LIMIT = 64 * 1024;
    private static final Set<HttpMethod> NON_IDEMPOTENT = Set.of(HttpMethod.POST, HttpMethod.PATCH, HttpMethod.valueOf("LOCK"));
    private static final String DECODER = "fastcgi";

    private final Exchange ex;
    private final FastCgiSettings settings;
    private final UpstreamGroup group;
    private final NextUpstream next;
    private final List<FastCgiParams.Pair> params;
    private final Set<Peer> tried = new HashSet<>();
    private final long started = System.nanoTime();
    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
    private final List<HttpContent> replay = new ArrayList<>();
    private long replayBytes;
    private boolean replayable = true;
    private boolean replayOnConnect;
    /** The request body ended before this exchange began (an internal redirect): STDIN is empty. */
    private final boolean bodyAlreadyRead;
    private Attempt attempt;
    private boolean finished;

    FastCgiExchange(Exchange ex, FastCgiSettings settings, UpstreamGroup group) {
        this.ex = ex;
        this.settings = settings;
        this.group = group;
        this.next = settings.nextUpstream();
        this.params = FastCgiRequest.params(ex, settings);
        this.bodyAlreadyRead = ex.requestComplete();
    }

    void start() {
        ex.bodySink(this);
        ex.onAbort(this::abortFromClient);
        if (HttpUtil.is100ContinueExpected(ex.request()) && !ex.expectsNoBody() && !bodyAlreadyRead) {
            ex.context().writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        nextAttempt(null);
    }

    // ---- attempts ------------------------------------------------------------------------------

    /** {@code lastStatus}: what the client gets if no peer is left (null before the first attempt). */
    private void nextAttempt(HttpResponseStatus lastStatus) {
        Peer peer = group.select(ex, tried);
        if (peer == null) {
            if (lastStatus == null) {
                logError("no live upstreams while connecting to upstream", null);
            }
            fail(lastStatus == null ? HttpResponseStatus.BAD_GATEWAY : lastStatus);
            return;
        }
        tried.add(peer);
        Attempt a = new Attempt(peer);
        attempt = a;
        Channel pooled = group.pooled(ex.channel(), peer);
        if (pooled != null && pooled.pipeline().get(DECODER) == null) {
            // A connection parked by another protocol on a shared upstream block: not ours to use.
            group.release(pooled, peer, false);
            pooled = null;
        }
        if (pooled != null) {
            a.attach(pooled);
            a.connected();
            return;
        }
        ChannelFuture connect = group.connect(ex.channel(), peer, settings.connectTimeout(), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(DECODER, new FastCgiDecoder());
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
                        (timeout ? "upstream timed out (110: Connection timed out)" : "connect() failed (" + errno(f.cause()) + ")")
                                + " while connecting to upstream");
            }
        });
    }

    private boolean mayRetry(Condition cond, boolean requestSent) {
        if (finished || ex.responseStarted() || !next.on(cond)) {
            return false;
        }
        if (next.tries() > 0 && tried.size() >= next.tries()) {
            return false;
        }
        if (!next.timeout().isZero() && System.nanoTime() - started >= next.timeout().toNanos()) {
            return false;
        }
        if (requestSent && NON_IDEMPOTENT.contains(ex.request().method()) && !next.on(Condition.NON_IDEMPOTENT)) {
            return false;
        }
        return !requestSent || replayable;
    }

    /** One connection to one peer, with its own pipeline handler so late events of an abandoned attempt are ignored. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        final Peer peer;
        final UpstreamTiming timing;
        final CgiResponseHead head = new CgiResponseHead(MAX_RESPONSE_HEADER);
        Channel channel;
        boolean requestSent;
        boolean writePending;
        boolean stdinClosed;
        boolean bodyless;
        /** Content-Length the responder declared (-1: none), and body bytes passed on so far. */
        long declaredLength = -1;
        long bodyBytes;
        ChannelFuture lastDownstreamWrite;

        Attempt(Peer peer) {
            this.peer = peer;
            this.timing = ex.upstreamAttempt(peer.server().addressText());
        }

        boolean current() {
            return attempt == this && !finished;
        }

        void attach(Channel ch) {
            channel = ch;
            ch.pipeline().addLast("idle", new IdleStateHandler(settings.readTimeout().toMillis(),
                    settings.sendTimeout().toMillis(), 0, TimeUnit.MILLISECONDS));
            ch.pipeline().addLast("fastcgi-exchange", this);
        }

        void connected() {
            timing.connected();
            requestSent = true;
            ByteBuf paramRecords;
            try {
                paramRecords = FastCgiParams.encode(channel.alloc(), params);
            } catch (IllegalArgumentException e) {
                logError(e.getMessage(), peer);
                attempt = null;
                channel.close();
                fail(HttpResponseStatus.INTERNAL_SERVER_ERROR);
                return;
            }
            channel.write(FastCgi.beginRequest(channel.alloc(), settings.keepConn()));
            channel.write(paramRecords);
            if (bodyAlreadyRead) {
                stdinClosed = true;
                channel.write(FastCgi.endOfStream(channel.alloc(), FastCgi.STDIN));
            } else if (replayOnConnect) {
                releasePending();
                for (HttpContent c : replay) {
                    writeBody(c.retainedDuplicate(), false);
                }
                replayOnConnect = false;
            } else {
                HttpContent c;
                while ((c = pending.poll()) != null) {
                    writeBody(c, false);
                }
            }
            channel.flush();
            if (!ex.requestComplete() && !writePending) {
                ex.requestMoreBody();
            }
            channel.read();
        }

        /** One body chunk as STDIN records; the last one also closes the STDIN stream. */
        void writeBody(HttpContent chunk, boolean flush) {
            boolean last = chunk instanceof LastHttpContent;
            ByteBuf data = chunk.content().retain();
            chunk.release();
            if (!channel.isActive() || stdinClosed) {
                data.release();
                return;
            }
            ByteBuf records;
            if (data.isReadable()) {
                records = FastCgi.stdin(channel.alloc(), data);
            } else {
                data.release();
                records = null;
            }
            if (last) {
                stdinClosed = true;
                ByteBuf end = FastCgi.endOfStream(channel.alloc(), FastCgi.STDIN);
                if (records == null) {
                    records = end;
                } else {
                    CompositeByteBuf both = channel.alloc().compositeBuffer(2);
                    both.addComponent(true, records);
                    both.addComponent(true, end);
                    records = both;
                }
            }
            if (records == null) {
                if (current()) {
                    ex.requestMoreBody();
                }
                return;
            }
            writePending = true;
            ChannelFuture w = flush ? channel.writeAndFlush(records) : channel.write(records);
            w.addListener((ChannelFutureListener) done -> {
                writePending = false;
                if (done.isSuccess() && !last && current()) {
                    ex.requestMoreBody();
                }
            });
        }

        /** The attempt failed before any response byte went out: count it, then retry or answer. */
        void failed(Condition cond, HttpResponseStatus status, String what) {
            if (!current()) {
                return;
            }
            timing.finished();
            logError(what, peer);
            group.failed(peer, "connecting to upstream");
            abandon();
            boolean sent = requestSent;
            if (mayRetry(cond, sent)) {
                replayOnConnect = sent;
                nextAttempt(status);
            } else {
                fail(status);
            }
        }

        private void abandon() {
            attempt = null;
            head.release();
            if (channel != null) {
                channel.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!current() || !(msg instanceof FastCgiRecord record)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                if (record.requestId() != FastCgi.REQUEST_ID) {
                    protocolError("upstream sent unexpected FastCGI request id " + record.requestId());
                    return;
                }
                switch (record.type()) {
                    case FastCgi.STDOUT -> {
                        if (record.content().isReadable()) {
                            onStdout(record.content());
                        }
                    }
                    case FastCgi.STDERR -> onStderr(record.content());
                    case FastCgi.END_REQUEST -> onEnd(record);
                    default -> protocolError("upstream sent invalid FastCGI record type: " + record.type());
                }
            } finally {
                record.release();
            }
        }

        private void protocolError(String what) {
            if (ex.responseStarted()) {
                logError(what + " while reading upstream", peer);
                group.failed(peer, "reading upstream");
                fail(HttpResponseStatus.BAD_GATEWAY);
            } else {
                failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY, what + " while reading response header from upstream");
            }
        }

        private void onStderr(ByteBuf content) {
            String text = content.toString(StandardCharsets.UTF_8);
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
                end--;
            }
            if (end > 0) {
                logError("FastCGI sent in stderr: \"" + text.substring(0, end) + "\" while reading "
                        + (head.done() ? "upstream" : "response header from upstream"), peer);
            }
        }

        private void onStdout(ByteBuf data) {
            ByteBuf body;
            if (head.done()) {
                body = data.retain();
            } else {
                try {
                    body = head.feed(channel.alloc(), data);
                    if (body == null) {
                        return;
                    }
                    startResponse(head.parse());
                } catch (CgiResponseHead.InvalidHeaderException e) {
                    failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY,
                            e.getMessage() + " while reading response header from upstream");
                    return;
                }
                if (!current() || !ex.responseStarted()) {
                    body.release();
                    return;
                }
            }
            writeBodyDown(body);
        }

        private void startResponse(CgiResponseHead.Parsed parsed) throws CgiResponseHead.InvalidHeaderException {
            int code = parsed.status();
            timing.status(code);
            Condition cond = NextUpstream.forStatus(code);
            if (cond != null && mayRetry(cond, true)) {
                if (code != 403 && code != 404) {
                    group.failed(peer, "reading response header from upstream");
                }
                timing.finished();
                logError("upstream answered " + code + ", trying the next one", peer);
                abandon();
                replayOnConnect = true;
                nextAttempt(HttpResponseStatus.valueOf(code));
                return;
            }
            if (settings.interceptErrors() && code >= 300 && ex.errorPage(code)) {
                // fastcgi_intercept_errors: error_page took the request elsewhere; this response is dropped.
                finished = true;
                timing.finished();
                group.succeeded(peer);
                abandon();
                releaseBody();
                return;
            }
            HttpResponseStatus status = parsed.reason() == null ? HttpResponseStatus.valueOf(code)
                    : new HttpResponseStatus(code, parsed.reason());
            HttpResponse down = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            try {
                for (Map.Entry<String, String> h : parsed.headers()) {
                    String name = h.getKey();
                    if (name.equalsIgnoreCase("content-length")) {
                        continue;
                    }
                    String value = h.getValue();
                    if (name.equalsIgnoreCase("location") && value.startsWith("/") && !value.startsWith("//")) {
                        value = ex.scheme() + "://" + ex.request().headers().get(HttpHeaderNames.HOST, ex.host()) + value;
                    }
                    down.headers().add(name, value);
                }
            } catch (IllegalArgumentException e) {
                throw new CgiResponseHead.InvalidHeaderException("upstream sent invalid header: " + e.getMessage());
            }
            bodyless = ex.isHead() || code == 204 || code == 304 || code < 200;
            String length = parsed.header("content-length");
            if (length != null) {
                try {
                    declaredLength = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    declaredLength = -1;
                }
                if (declaredLength < 0) {
                    throw new CgiResponseHead.InvalidHeaderException("upstream sent invalid \"Content-Length\" header: \""
                            + length + "\"");
                }
            }
            if (declaredLength >= 0 && !(code == 204 || code == 304 || code < 200)) {
                down.headers().set(HttpHeaderNames.CONTENT_LENGTH, declaredLength);
            } else if (!bodyless) {
                down.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            ex.prepare(down, false);
            lastDownstreamWrite = ex.context().write(down);
        }

        private void writeBodyDown(ByteBuf body) {
            if (bodyless || !body.isReadable()) {
                body.release();
                return;
            }
            if (declaredLength >= 0) {
                long room = declaredLength - bodyBytes;
                if (room <= 0) {
                    body.release();
                    return;
                }
                if (body.readableBytes() > room) {
                    LOG.warn("upstream sent more data than specified in \"Content-Length\" header, upstream: \"fastcgi://{}\"",
                            peer.server().addressText());
                    ByteBuf cut = body.retainedSlice(body.readerIndex(), (int) room);
                    body.release();
                    body = cut;
                }
            }
            bodyBytes += body.readableBytes();
            lastDownstreamWrite = ex.context().write(new DefaultHttpContent(body));
        }

        private void onEnd(FastCgiRecord record) {
            if (!head.done()) {
                String why = record.protocolStatus() == FastCgi.OVERLOADED ? "upstream is overloaded (FCGI_OVERLOADED)"
                        : record.protocolStatus() == FastCgi.CANT_MPX_CONN ? "upstream cannot multiplex (FCGI_CANT_MPX_CONN)"
                        : record.protocolStatus() == FastCgi.UNKNOWN_ROLE ? "upstream does not know the responder role"
                        : "upstream prematurely closed FastCGI stdout";
                failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY, why + " while reading response header from upstream");
                return;
            }
            if (!ex.responseStarted()) {
                return;
            }
            if (declaredLength >= 0 && bodyBytes < declaredLength && !bodyless) {
                logError("upstream prematurely closed FastCGI request while reading upstream", peer);
                fail(HttpResponseStatus.BAD_GATEWAY);
                return;
            }
            finished = true;
            attempt = null;
            timing.finished();
            group.succeeded(peer);
            ex.context().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
            FastCgiDecoder decoder = (FastCgiDecoder) channel.pipeline().get(DECODER);
            boolean reusable = settings.keepConn() && stdinClosed && !writePending
                    && decoder != null && decoder.pendingBytes() == 0;
            channel.pipeline().remove(this);
            channel.pipeline().remove("idle");
            group.release(channel, peer, reusable);
            releaseBody();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!current()) {
                return;
            }
            ex.context().flush();
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

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && current()) {
                channelInactive(ctx);
                return;
            }
            if (!(evt instanceof IdleStateEvent idle) || !current()) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            boolean waitingOnClient = lastDownstreamWrite != null && !lastDownstreamWrite.isDone();
            switch (idle.state()) {
                case READER_IDLE -> {
                    if (!waitingOnClient && !writePending) {
                        timedOut(head.done() ? "reading upstream" : "reading response header from upstream");
                    }
                }
                case WRITER_IDLE -> {
                    if (writePending) {
                        timedOut("sending request to upstream");
                    }
                }
                default -> {
                }
            }
        }

        private void timedOut(String while_) {
            String what = "upstream timed out (110: Connection timed out) while " + while_;
            if (ex.responseStarted()) {
                timing.finished();
                logError(what, peer);
                group.failed(peer, while_);
                fail(HttpResponseStatus.GATEWAY_TIMEOUT);
            } else {
                failed(Condition.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, what);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!current()) {
                return;
            }
            if (ex.responseStarted()) {
                timing.finished();
                logError("upstream prematurely closed connection while reading upstream", peer);
                fail(HttpResponseStatus.BAD_GATEWAY);
            } else {
                failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY,
                        "upstream prematurely closed connection while reading response header from upstream");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (current()) {
                if (cause instanceof DecoderException && cause.getCause() instanceof CorruptedFrameException c) {
                    cause = c;
                }
                if (cause instanceof CorruptedFrameException) {
                    protocolError(cause.getMessage());
                } else {
                    String what = "recv() failed (" + errno(cause) + ") while reading response header from upstream";
                    if (ex.responseStarted()) {
                        timing.finished();
                        logError(what, peer);
                        fail(HttpResponseStatus.BAD_GATEWAY);
                    } else {
                        failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY, what);
                    }
                }
            }
            ctx.close();
        }
    }

    // ---- request body --------------------------------------------------------------------------

    /** Each chunk goes to the current attempt (or waits for its connection) and, while small, is kept for a retry. */
    @Override
    public void onBody(HttpContent chunk) {
        if (finished || bodyAlreadyRead) {
            chunk.release();
            return;
        }
        if (replayable) {
            replayBytes += chunk.content().readableBytes();
            if (replayBytes > REPLAY_LIMIT) {
                replayable = false;
                releaseReplay();
            } else {
                replay.add(chunk.retainedDuplicate());
            }
        }
        Attempt a = attempt;
        if (a != null && a.requestSent && a.channel.isActive()) {
            a.writeBody(chunk, true);
        } else {
            pending.add(chunk);
        }
    }

    // ---- endings -------------------------------------------------------------------------------

    /** Before the response started the client gets an error page; after, the connection is cut. */
    private void fail(HttpResponseStatus status) {
        if (finished) {
            return;
        }
        finished = true;
        Attempt a = attempt;
        attempt = null;
        if (a != null) {
            a.head.release();
            if (a.channel != null) {
                a.channel.close();
            }
        }
        releaseBody();
        if (ex.responseStarted()) {
            ex.abort();
        } else {
            ex.sendError(status, !ex.requestComplete());
        }
    }

    private void abortFromClient() {
        finished = true;
        Attempt a = attempt;
        attempt = null;
        if (a != null) {
            a.head.release();
            if (a.channel != null) {
                a.channel.close();
            }
        }
        releaseBody();
    }

    private void releaseBody() {
        releasePending();
        releaseReplay();
    }

    private void releasePending() {
        HttpContent c;
        while ((c = pending.poll()) != null) {
            c.release();
        }
    }

    private void releaseReplay() {
        replay.forEach(HttpContent::release);
        replay.clear();
    }

    private void logError(String what, Peer peer) {
        LOG.error("*{} {}, client: {}, server: {}, request: \"{} {} {}\", upstream: \"fastcgi://{}\", host: \"{}\"",
                ex.connection(), what, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(),
                peer == null ? settings.address() : peer.server().addressText(),
                ex.request().headers().get(HttpHeaderNames.HOST, ""));
    }

    /** Socket errors in nginx's "(111: Connection refused)" form. */
    private static String errno(Throwable t) {
        String message = String.valueOf(t.getMessage());
        if (message.contains("Connection refused")) {
            return "111: Connection refused";
        }
        if (message.contains("Connection reset")) {
            return "104: Connection reset by peer";
        }
        if (message.contains("No such file")) {
            return "2: No such file or directory";
        }
        if (message.contains("Permission denied")) {
            return "13: Permission denied";
        }
        return message;
    }
}
