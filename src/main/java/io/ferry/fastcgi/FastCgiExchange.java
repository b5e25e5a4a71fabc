package io.ferry.fastcgi;

import io.ferry.cache.HttpCache;
import io.ferry.gateway.CgiAttempt;
import io.ferry.gateway.CgiRequest;
import io.ferry.gateway.UpstreamAttempt;
import io.ferry.gateway.UpstreamExchange;
import io.ferry.http.Exchange;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * fastcgi_pass over the upstream engine: BEGIN_REQUEST and PARAMS, the request body as STDIN
 * records, the CGI header block read from STDOUT and the rest of STDOUT streamed to the client
 * (chunked when no Content-Length) until END_REQUEST. STDERR goes to the error log;
 * fastcgi_keep_conn lets a clean connection go back to the pool; fastcgi_intercept_errors hands
 * an error status to error_page.
 */
final class FastCgiExchange extends UpstreamExchange {
    private static final String DECODER = "fastcgi";

    private final FastCgiSettings settings;
    private final List<CgiRequest.Pair> params;
    /** The request body ended before this exchange began (an internal redirect): STDIN is empty. */
    private final boolean bodyAlreadyRead;

    FastCgiExchange(Exchange ex, FastCgiSettings settings, UpstreamGroup group) {
        super(ex, group, settings.nextUpstream(), settings.connectTimeout(), settings.readTimeout(), settings.sendTimeout());
        this.settings = settings;
        this.params = CgiRequest.params(ex, settings.params(), true,
                HttpCache.enabled(ex.settings(), HttpCache.Protocol.FASTCGI));
        io.ferry.http.body.SpooledBody kept = ex.keptBody();
        this.bodyAlreadyRead = ex.requestComplete() && (kept == null || !kept.whole());
    }

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
        return "fastcgi://" + (peer == null ? settings.address() : peer.server().urlText());
    }

    private final class Attempt extends CgiAttempt {
        private boolean stdinClosed;

        Attempt(Peer peer) {
            super(FastCgiExchange.this, peer, settings, "fastcgi", false);
        }

        @Override
        protected void installCodec(Channel ch) {
            ch.pipeline().addLast(DECODER, new FastCgiDecoder());
        }

        @Override
        protected boolean speaks(Channel pooled) {
            return pooled.pipeline().get(DECODER) != null;
        }

        @Override
        protected void writeRequest() {
            Channel channel = channel();
            ByteBuf paramRecords;
            try {
                paramRecords = FastCgiParams.encode(channel.alloc(), params);
            } catch (IllegalArgumentException e) {
                logError(e.getMessage());
                fail(HttpResponseStatus.INTERNAL_SERVER_ERROR);
                return;
            }
            channel.write(FastCgi.beginRequest(channel.alloc(), settings.keepConn()));
            channel.write(paramRecords);
            if (bodyAlreadyRead || !settings.passRequestBody()) {
                stdinClosed = true;
                channel.write(FastCgi.endOfStream(channel.alloc(), FastCgi.STDIN));
            }
        }

        /** One body chunk as STDIN records; the last one also closes the STDIN stream. */
        @Override
        protected Object encodeBody(HttpContent chunk) {
            boolean last = chunk instanceof LastHttpContent;
            ByteBuf data = chunk.content().retain();
            chunk.release();
            if (stdinClosed) {
                data.release();
                return null;
            }
            Channel channel = channel();
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
            return records;
        }

        @Override
        protected void onMessage(Object msg) {
            if (!(msg instanceof FastCgiRecord record)) {
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
                            onResponseBytes(record.content());
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

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable corrupt = cause instanceof DecoderException && cause.getCause() instanceof CorruptedFrameException c ? c : cause;
            if (corrupt instanceof CorruptedFrameException && current()) {
                protocolError(corrupt.getMessage());
                ctx.close();
            } else {
                super.exceptionCaught(ctx, cause);
            }
        }

        private void protocolError(String what) {
            if (ex.responseStarted()) {
                cutOff(HttpResponseStatus.BAD_GATEWAY, what + " while reading upstream", "reading upstream");
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
                        + (headDone() ? "upstream" : "response header from upstream"));
            }
            if (settings.catches(text)) {
                // nginx: an invalid header before the response began (so fastcgi_next_upstream
                // invalid_header may retry), an error cutting the response off after.
                protocolError("upstream sent invalid header");
            }
        }

        private void onEnd(FastCgiRecord record) {
            if (!headDone()) {
                String why = record.protocolStatus() == FastCgi.OVERLOADED ? "upstream is overloaded (FCGI_OVERLOADED)"
                        : record.protocolStatus() == FastCgi.CANT_MPX_CONN ? "upstream cannot multiplex (FCGI_CANT_MPX_CONN)"
                        : record.protocolStatus() == FastCgi.UNKNOWN_ROLE ? "upstream does not know the responder role"
                        : "upstream prematurely closed FastCGI stdout";
                failed(Condition.INVALID_HEADER, HttpResponseStatus.BAD_GATEWAY, why + " while reading response header from upstream");
                return;
            }
            if (!responding()) {
                return;
            }
            if (bodyShort()) {
                cutOff(HttpResponseStatus.BAD_GATEWAY, "upstream prematurely closed FastCGI request while reading upstream", null);
                return;
            }
            FastCgiDecoder decoder = (FastCgiDecoder) channel().pipeline().get(DECODER);
            finish(LastHttpContent.EMPTY_LAST_CONTENT, settings.keepConn() && stdinClosed
                    && decoder != null && decoder.pendingBytes() == 0);
        }
    }
}
