package io.ferry.gateway;

import io.ferry.cache.HttpCache;
import io.ferry.http.Exchange;
import io.ferry.http.body.SpooledBody;
import io.ferry.upstream.Errno;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * uwsgi_pass and scgi_pass over the upstream engine: the protocol's encoding of the variables, the
 * request body as it is, then the application's response (a CGI header block, or a status line and
 * headers) until it closes the connection, which no response of these protocols outlives.
 */
public abstract class GatewayExchange extends UpstreamExchange {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final GatewaySettings settings;
    private final String scheme;
    private final List<CgiRequest.Pair> params;
    /** The body the application gets: none when not passed or already read by an earlier handler. */
    private final boolean noBody;

    protected GatewayExchange(Exchange ex, GatewaySettings settings, UpstreamGroup group, HttpCache.Protocol protocol) {
        super(ex, group, settings.nextUpstream(), settings.connectTimeout(), settings.readTimeout(), settings.sendTimeout());
        this.settings = settings;
        this.scheme = protocol.prefix();
        this.params = CgiRequest.params(ex, settings.params(), settings.passRequestHeaders(),
                HttpCache.enabled(ex.settings(), protocol));
        SpooledBody kept = ex.keptBody();
        this.noBody = !settings.passRequestBody() || ex.requestComplete() && (kept == null || !kept.whole());
    }

    /**
     * What precedes the body: the variables as the protocol encodes them, with {@code bodyLength}
     * bytes of body to follow.
     *
     * @throws IllegalArgumentException when the variables do not fit the protocol's framing
     */
    protected abstract ByteBuf encode(ByteBufAllocator alloc, List<CgiRequest.Pair> params, long bodyLength);

    @Override
    protected boolean sendsBody() {
        return settings.passRequestBody();
    }

    @Override
    protected boolean ignoresClientAbort() {
        return settings.buffering().ignoreClientAbort();
    }

    @Override
    protected UpstreamAttempt newAttempt(Peer peer) {
        return new Attempt(peer);
    }

    @Override
    protected String upstreamUrl(Peer peer) {
        return scheme + "://" + (peer == null ? settings.address() : peer.server().urlText());
    }

    /**
     * PREFIX_bind's value as a socket address: an IP address, with an optional port; null for "".
     *
     * @throws IllegalArgumentException naming the value when it is no IP address
     */
    static InetSocketAddress localAddress(String text) {
        if (text.isEmpty()) {
            return null;
        }
        String host = text;
        int port = 0;
        int colon = text.lastIndexOf(':');
        boolean v6 = text.startsWith("[");
        if (colon > 0 && (v6 ? text.charAt(colon - 1) == ']' : text.indexOf(':') == colon)) {
            host = text.substring(0, colon);
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (v6 && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean literal = IPV4.matcher(host).matches() || host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+");
        if (!literal || port < 0 || port > 65535) {
            throw new IllegalArgumentException("invalid local address \"" + text + "\"");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("invalid local address \"" + text + "\"");
        }
    }

    /** The body's length: read whole, or as the client announced it (a chunked body is always read whole first). */
    private long bodyLength() {
        if (noBody) {
            return 0;
        }
        SpooledBody kept = ex.keptBody();
        return kept != null && kept.whole() ? kept.size() : HttpUtil.getContentLength(ex.request(), 0L);
    }

    private final class Attempt extends CgiAttempt {
        Attempt(Peer peer) {
            super(GatewayExchange.this, peer, settings, scheme, true);
        }

        @Override
        protected void installCodec(Channel ch) {
            if (settings.socketKeepalive()) {
                ch.config().setOption(ChannelOption.SO_KEEPALIVE, true);
            }
            if (settings.bind() != null) {
                bind(ch, settings.bind().render(ex));
            }
        }

        /** Binds before the connect that follows (an empty value binds nothing, as in nginx); a failure closes the channel. */
        private void bind(Channel ch, String text) {
            InetSocketAddress local;
            try {
                local = localAddress(text);
            } catch (IllegalArgumentException e) {
                logError(e.getMessage() + " while connecting to upstream");
                ch.close();
                return;
            }
            if (local != null) {
                ch.bind(local).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        logError("bind(" + text + ") failed (" + Errno.describe(f.cause()) + ") while connecting to upstream");
                        ch.close();
                    }
                });
            }
        }

        @Override
        protected void writeRequest() {
            ByteBuf head;
            try {
                head = encode(channel().alloc(), params, bodyLength());
            } catch (IllegalArgumentException e) {
                logError(e.getMessage());
                fail(HttpResponseStatus.INTERNAL_SERVER_ERROR);
                return;
            }
            channel().write(head);
        }

        @Override
        protected Object encodeBody(HttpContent chunk) {
            ByteBuf data = chunk.content().retain();
            chunk.release();
            if (noBody || !data.isReadable()) {
                data.release();
                return null;
            }
            return data;
        }

        @Override
        protected void onMessage(Object msg) {
            try {
                if (msg instanceof ByteBuf data && data.isReadable()) {
                    onResponseBytes(data);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** The application's close ends its response; before the whole head, or short of its Content-Length, it is an error. */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!current() || !headDone() || !responding() || bodyShort()) {
                super.channelInactive(ctx);
                return;
            }
            finish(LastHttpContent.EMPTY_LAST_CONTENT, false);
        }
    }
}
