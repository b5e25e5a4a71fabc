package io.ferry.memcached;

import io.ferry.gateway.UpstreamAttempt;
import io.ferry.gateway.UpstreamExchange;
import io.ferry.http.Exchange;
import io.ferry.model.LocationSettings;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.upstream.Errno;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * memcached_pass over the upstream engine, nginx's ngx_http_memcached_module: "get KEY" over the
 * text protocol, "VALUE key flags bytes" becomes a 200 whose body streams to the client as it
 * arrives (never aggregated), "END" alone is a miss (404), a memcached that answers garbage is 502.
 * A connection whose answer ended with a clean "END" goes back to the group's keepalive pool.
 */
final class MemcachedExchange extends UpstreamExchange {
    /** nginx's memcached_buffer_size default: the VALUE line must fit. */
    private static final int MAX_HEADER = 8 * 1024;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final byte[] TRAILER = "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);

    private final MemcachedSettings settings;
    private String key;

    MemcachedExchange(Exchange ex, MemcachedSettings settings, UpstreamGroup group) {
        super(ex, group, settings.nextUpstream(), settings.connectTimeout(), settings.readTimeout(), settings.sendTimeout());
        this.settings = settings;
    }

    @Override
    public void start() {
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
        super.start();
    }

    @Override
    protected boolean sendsBody() {
        return false;
    }

    @Override
    protected UpstreamAttempt newAttempt(Peer peer) {
        return new Attempt(peer);
    }

    @Override
    protected String upstreamUrl(Peer peer) {
        return "memcached://" + (peer == null ? settings.upstream().name() : peer.server().urlText());
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

    private enum State { HEADER, DATA, TRAILER, DONE }

    private final class Attempt extends UpstreamAttempt {
        private State state = State.HEADER;
        private ByteBuf header;
        private long remaining;
        private int trailerMatched;
        private boolean trailerValid = true;

        Attempt(Peer peer) {
            super(MemcachedExchange.this, peer);
        }

        @Override
        protected void writeRequest() {
            ByteBuf request = Unpooled.copiedBuffer("get " + key + "\r\n", StandardCharsets.ISO_8859_1);
            channel().write(request).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess() && current()) {
                    failed(Condition.ERROR, HttpResponseStatus.BAD_GATEWAY,
                            "send() failed (" + Errno.describe(f.cause()) + ") while sending request to upstream");
                }
            });
        }

        @Override
        protected void dispose() {
            releaseHeader();
        }

        @Override
        protected void onMessage(Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
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
                finish(LastHttpContent.EMPTY_LAST_CONTENT, trailerValid);
            }
        }

        private void readHeader(ByteBuf buf) {
            if (header == null) {
                header = channel().alloc().buffer(256);
            }
            int eol = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) '\n');
            int take = eol < 0 ? buf.readableBytes() : eol - buf.readerIndex() + 1;
            if (header.readableBytes() + take > MAX_HEADER) {
                releaseHeader();
                buf.skipBytes(buf.readableBytes());
                failed(Condition.INVALID_RESPONSE, HttpResponseStatus.BAD_GATEWAY,
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
                failed(Condition.INVALID_RESPONSE, HttpResponseStatus.BAD_GATEWAY,
                        "memcached sent invalid response: \"" + line + "\" while reading response header from upstream");
                return;
            }
            if (!parts[1].equals(key)) {
                buf.skipBytes(buf.readableBytes());
                failed(Condition.INVALID_RESPONSE, HttpResponseStatus.BAD_GATEWAY, "memcached sent invalid key in response \""
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
                failed(Condition.INVALID_RESPONSE, HttpResponseStatus.BAD_GATEWAY,
                        "memcached sent invalid response: \"" + line + "\" while reading response header from upstream");
                return;
            }
            found(flags);
            if (ex.isHead()) {
                // As nginx, the value is not read for HEAD: the connection is closed instead of reused.
                trailerValid = false;
                state = State.DONE;
                buf.skipBytes(buf.readableBytes());
                return;
            }
            state = remaining == 0 ? State.TRAILER : State.DATA;
        }

        private void found(long flags) {
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, ex.settings().contentType(ex.uri()));
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, remaining);
            if (settings.gzipFlag() != 0 && (flags & settings.gzipFlag()) != 0) {
                res.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
            }
            timing().status(200);
            // The VALUE line already counts as the peer answering, whatever happens to the value.
            succeeded();
            respond(res);
        }

        private void readData(ByteBuf buf) {
            int n = (int) Math.min(remaining, buf.readableBytes());
            forward(new DefaultHttpContent(buf.readRetainedSlice(n)));
            remaining -= n;
            if (remaining == 0) {
                state = State.TRAILER;
            }
        }

        private void readTrailer(ByteBuf buf) {
            while (buf.isReadable() && trailerMatched < TRAILER.length) {
                if (buf.readByte() != TRAILER[trailerMatched]) {
                    trailerValid = false;
                    logError("memcached sent invalid trailer while reading upstream");
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

        private void notFound() {
            ex.errorLog().info("key: \"{}\" was not found by memcached, client: {}, server: {}, request: \"{} {} {}\", upstream: \"{}\"",
                    key, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(), upstreamUrl(peer()));
            timing().status(404);
            if (mayRetryAnswer(Condition.NOT_FOUND)) {
                retry(HttpResponseStatus.NOT_FOUND);
                return;
            }
            releaseConnection(true);
            ex.sendError(HttpResponseStatus.NOT_FOUND, !ex.requestComplete());
        }

        private void releaseHeader() {
            if (header != null) {
                header.release();
                header = null;
            }
        }
    }
}
