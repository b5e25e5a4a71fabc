package io.ferry.memcached;

import io.ferry.http.Exchange;
import io.ferry.model.LocationSettings;
import io.ferry.model.MemcachedSettings;
import io.ferry.model.MemcachedSettings.Retry;
import io.ferry.proxy.Errno;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One memcached_pass request, nginx's ngx_http_memcached_module: "get KEY" over the text protocol,
 * "VALUE key flags bytes" becomes a 200 whose body streams to the client as it arrives (read
 * after write, never aggregated), "END" alone is a miss (404), a memcached that cannot be reached
 * or answers garbage is 502 (504 on timeouts). memcached_next_upstream moves on to the next peer
 * while nothing was sent to the client; a connection whose answer ended with a clean "END" goes
 * back to the group's keepalive pool.
 */
final class MemcachedExchange {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    /** nginx's memcached_buffer_size default: the VALUE line must fit. */
    private static final int MAX_HEADER = 8 * 1024;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final byte[] TRAILER = "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Exchange ex;
    private final MemcachedSettings settings;
    private final UpstreamGroup group;
    private final Set<Peer> tried = new HashSet<>();
    private final long started = System.nanoTime();
    private String key;
    private Attempt attempt;
    private boolean finished;

    MemcachedExchange(Exchange ex, MemcachedSettings settings, UpstreamGroup group) {
        this.ex = ex;
        this.settings = settings;
        this.group = group;
    }

    void start() {
        HttpMethod method = ex.request().method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            ex.sendError(HttpResponseStatus.METHOD_NOT_ALLOWED, !ex.requestComplete());
            return;
        }
        String raw = settings.key().render(ex);
        if (raw == null || raw.isEmpty()) {
            logError("the \"$memcached_key\" variable is not set", null);
            ex.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !ex.requestComplete());
            return;
        }
        key = escape(raw);
        ex.onAbort(this::abortFromClient);
        nextAttempt(null);
    }

    /**
     * nginx's NGX_ESCAPE_MEMCACHED: space, '%' and control characters become %XX. The result holds
     * the key's UTF-8 bytes one char each (ISO-8859-1), as it goes on the wire.
     */
    static String escape(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c <= 0x20 || c == '%') {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    // ---- attempts ------------------------------------------------------------------------------

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
        if (pooled != null) {
            a.attach(pooled);
            a.send();
            return;
        }
        ChannelFuture connect = group.connect(ex.channel(), peer, settings.connectTimeout(), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                a.attach(ch);
            }
        });
        connect.addListener((ChannelFutureListener) f -> {
            if (a != attempt || finished) {
                f.channel().close();
            } else if (f.isSuccess()) {
                a.send();
            } else {
                boolean timeout = f.cause() instanceof ConnectTimeoutException;
                a.failed(timeout ? Retry.TIMEOUT : Retry.ERROR,
                        timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
                        timeout ? "upstream timed out (110: Connection timed out) while connecting to upstream"
                                : "connect() failed (" + Errno.describe(f.cause()) + ") while connecting to upstream");
            }
        });
    }

    private boolean mayRetry(Retry cond) {
        if (finished || ex.responseStarted() || !settings.nextUpstream().contains(cond)) {
            return false;
        }
        if (settings.tries() > 0 && tried.size() >= settings.tries()) {
            return false;
        }
        return settings.nextUpstreamTimeout().isZero() || System.nanoTime() - started < settings.nextUpstreamTimeout().toNanos();
    }

    private enum State { HEADER, DATA, TRAILER, DONE }

    /** One connection to one memcached peer; its handler ignores events once the attempt is abandoned. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        final Peer peer;
        Channel channel;
        State state = State.HEADER;
        ByteBuf header;
        long remaining;
        int trailerMatched;
        boolean requestWritten;
        boolean trailerValid = true;
        ChannelFuture lastClientWrite;

        Attempt(Peer peer) {
            this.peer = peer;
        }

        boolean current() {
            return attempt == this && !finished;
        }

        void attach(Channel ch) {
            channel = ch;
            ch.pipeline().addLast("memcached-idle", new IdleStateHandler(settings.readTimeout().toMillis(),
                    settings.sendTimeout().toMillis(), 0, TimeUnit.MILLISECONDS));
            ch.pipeline().addLast("memcached", this);
        }

        void send() {
            ByteBuf request = Unpooled.copiedBuffer("get " + key + "\r\n", StandardCharsets.ISO_8859_1);
            channel.writeAndFlush(request).addListener((ChannelFutureListener) f -> {
                requestWritten = true;
                if (!f.isSuccess() && current()) {
                    failed(Retry.ERROR, HttpResponseStatus.BAD_GATEWAY,
                            "send() failed (" + Errno.describe(f.cause()) + ") while sending request to upstream");
                }
            });
            channel.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf) || !current()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                while (buf.isReadable() && current()) {
                    switch (state) {
                        case HEADER -> readHeader(buf);
                        case DATA -> readData(buf);
                        case TRAILER -> readTrailer(buf);
                        case DONE -> {
                            // bytes after END: the connection cannot be reused
                            trailerValid = false;
                            buf.skipBytes(buf.readableBytes());
                        }
                    }
                }
            } finally {
                buf.release();
            }
            if (state == State.DONE && current()) {
                done();
            }
        }

        private void readHeader(ByteBuf buf) {
            if (header == null) {
                header = ctx().alloc().buffer(256);
            }
            int eol = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) '\n');
            int take = eol < 0 ? buf.readableBytes() : eol - buf.readerIndex() + 1;
            if (header.readableBytes() + take > MAX_HEADER) {
                releaseHeader();
                buf.skipBytes(buf.readableBytes());
                failed(Retry.INVALID_RESPONSE, HttpResponseStatus.BAD_GATEWAY,
                        "upstream sent too big header while reading response header from upstream");
                return;
            }
            header.writeBytes(buf, take);
            if (eol < 0) {
                return;
            }
            String line = header.toString(StandardCharsets.ISO_8859_1);
            releaseHeader();
            line = line.endsWith("\r\n") ? line.substring(0, line.length() - 2) : line.substring(0, line.length() - 1);
            if (line.equals("END")) {
                buf.skipBytes(buf.readableBytes());
                notFound();
                return;
            }
            String[] parts = line.split(" ", -1);
            if (!line.startsWith("VALUE ") || parts.length < 4 || parts.length > 5) {
                buf.skipBytes(buf.readableBytes());
                failed(Retry.INVALID_RESPONSE, HttpResponseStatus.BAD_GATEWAY,
                        "memcached sent invalid response: \"" + line + "\" while reading response header from upstream");
                return;
            }
            if (!parts[1].equals(key)) {
                buf.skipBytes(buf.readableBytes());
                failed(Retry.INVALID_RESPONSE, HttpResponseStatus.BAD_GATEWAY, "memcached sent invalid key in response \""
                        + parts[1] + "\" for key \"" + key + "\" while reading response header from upstream");
                return;
            }
            long flags;
            try {
                flags = Long.parseUnsignedLong(parts[2]);
                remaining = Long.parseLong(parts[3]);
                if (remaining < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                buf.skipBytes(buf.readableBytes());
                failed(Retry.INVALID_RESPONSE, HttpResponseStatus.BAD_GATEWAY,
                        "memcached sent invalid response: \"" + line + "\" while reading response header from upstream");
                return;
            }
            respond(flags);
            state = remaining == 0 ? State.TRAILER : State.DATA;
        }

        private void respond(long flags) {
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType(ex.settings(), ex.uri()));
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, remaining);
            if (settings.gzipFlag() != 0 && (flags & settings.gzipFlag()) != 0) {
                res.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
            }
            group.succeeded(peer);
            ex.prepare(res, false);
            lastClientWrite = ex.context().write(res);
        }

        private void readData(ByteBuf buf) {
            int n = (int) Math.min(remaining, buf.readableBytes());
            if (ex.isHead()) {
                buf.skipBytes(n);
            } else {
                lastClientWrite = ex.context().write(new DefaultHttpContent(buf.readRetainedSlice(n)));
            }
            remaining -= n;
            if (remaining == 0) {
                state = State.TRAILER;
            }
        }

        private void readTrailer(ByteBuf buf) {
            while (buf.isReadable() && trailerMatched < TRAILER.length) {
                if (buf.readByte() != TRAILER[trailerMatched]) {
                    trailerValid = false;
                    logError("memcached sent invalid trailer while reading upstream", peer);
                    buf.skipBytes(buf.readableBytes());
                    state = State.DONE;
                    return;
                }
                trailerMatched++;
            }
            if (trailerMatched == TRAILER.length) {
                state = State.DONE;
            }
        }

        /** The whole value was passed on: end the response; a clean connection goes back to the pool. */
        private void done() {
            finished = true;
            attempt = null;
            ex.context().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
            channel.pipeline().remove(this);
            channel.pipeline().remove("memcached-idle");
            group.release(channel, peer, trailerValid);
        }

        private void notFound() {
            LOG.info("key: \"{}\" was not found by memcached, client: {}, server: {}, request: \"{} {} {}\", upstream: \"{}\"",
                    key, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(), upstreamText(peer));
            if (mayRetry(Retry.NOT_FOUND)) {
                attempt = null;
                channel.close();
                nextAttempt(HttpResponseStatus.NOT_FOUND);
                return;
            }
            finished = true;
            attempt = null;
            channel.pipeline().remove(this);
            channel.pipeline().remove("memcached-idle");
            group.release(channel, peer, true);
            ex.sendError(HttpResponseStatus.NOT_FOUND, !ex.requestComplete());
        }

        /** Before any response byte went out: count the failure, then retry or answer. */
        void failed(Retry cond, HttpResponseStatus status, String what) {
            if (!current()) {
                return;
            }
            logError(what, peer);
            if (ex.responseStarted()) {
                fail(status);
                return;
            }
            group.failed(peer, "connecting to upstream");
            attempt = null;
            if (channel != null) {
                channel.close();
            }
            if (mayRetry(cond)) {
                nextAttempt(status);
            } else {
                fail(status);
            }
        }

        private ChannelHandlerContext ctx() {
            return channel.pipeline().context(this);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!current()) {
                return;
            }
            if (ex.responseStarted()) {
                ex.context().flush();
            }
            ChannelFuture w = lastClientWrite;
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
            boolean waitingOnClient = lastClientWrite != null && !lastClientWrite.isDone();
            switch (idle.state()) {
                case READER_IDLE -> {
                    if (!waitingOnClient && requestWritten) {
                        failed(Retry.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT,
                                "upstream timed out (110: Connection timed out) while reading response header from upstream");
                    }
                }
                case WRITER_IDLE -> {
                    if (!requestWritten) {
                        failed(Retry.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT,
                                "upstream timed out (110: Connection timed out) while sending request to upstream");
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            releaseHeader();
            if (current()) {
                failed(Retry.ERROR, HttpResponseStatus.BAD_GATEWAY,
                        "upstream prematurely closed connection while reading response header from upstream");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (current()) {
                failed(Retry.ERROR, HttpResponseStatus.BAD_GATEWAY,
                        "recv() failed (" + Errno.describe(cause) + ") while reading response header from upstream");
            }
            ctx.close();
        }

        private void releaseHeader() {
            if (header != null) {
                header.release();
                header = null;
            }
        }
    }

    /** The type of the URI's extension from types {}, else default_type (nginx's ngx_http_set_content_type). */
    static String contentType(LocationSettings s, String uri) {
        if (uri != null) {
            int slash = uri.lastIndexOf('/');
            int dot = uri.lastIndexOf('.');
            if (dot > slash && dot < uri.length() - 1) {
                String type = s.types().get(uri.substring(dot + 1).toLowerCase(Locale.ROOT));
                if (type != null) {
                    return type;
                }
            }
        }
        return s.defaultType();
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
        if (a != null && a.channel != null) {
            a.channel.close();
        }
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
        if (a != null && a.channel != null) {
            a.channel.close();
        }
    }

    private String upstreamText(Peer peer) {
        return "memcached://" + (peer == null ? settings.upstream().name() : peer.server().addressText());
    }

    private void logError(String what, Peer peer) {
        LOG.error("{}, client: {}, server: {}, request: \"{} {} {}\", upstream: \"{}\", host: \"{}\"",
                what, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(), upstreamText(peer),
                ex.request().headers().get(HttpHeaderNames.HOST, ""));
    }
}
