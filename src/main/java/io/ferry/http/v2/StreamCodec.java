package io.ferry.http.v2;

import io.ferry.http.HttpConnectionHandler;
import io.ferry.websocket.ExtendedConnect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelPromiseNotifier;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One stream's frames as the HTTP messages every module speaks: the request HEADERS become an
 * {@link HttpRequest} (nginx's checks of pseudo-headers and field names, {@link RequestHeaders}), DATA
 * becomes body content, a second HEADERS the trailers; the response head becomes HEADERS (without the
 * fields HTTP/2 forbids), its body DATA frames of at most the location's http2_chunk_size. A response
 * without a body ends the stream on its HEADERS frame, as nginx sends it.
 */
final class StreamCodec extends ChannelDuplexHandler {
    /** Connection-specific fields (RFC 9113, 8.2.2): an HTTP/1.1 response's framing, never sent on a stream. */
    private static final Set<AsciiString> CONNECTION_FIELDS = Set.of(AsciiString.cached("connection"),
            AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"),
            AsciiString.cached("transfer-encoding"), AsciiString.cached("upgrade"));

    private final RequestHeaders requestHeaders;
    private int chunkSize;
    private boolean requestSeen;
    private boolean headOnly;
    /** A response head held until the next write shows whether a body follows, so an empty one ends the stream at once. */
    private Http2Headers heldHead;
    private ChannelPromise heldPromise;
    private boolean ended;
    /** After an extended CONNECT: the stream's frames, held for the tunnel (or dropped with the stream). */
    private ArrayDeque<Object> tunnelFrames;

    StreamCodec(RequestHeaders requestHeaders, int chunkSize) {
        this.requestHeaders = requestHeaders;
        this.chunkSize = chunkSize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (tunnelFrames != null) {
            tunnelFrames.add(msg);
            return;
        }
        if (msg instanceof Http2HeadersFrame h) {
            if (!requestSeen) {
                requestSeen = true;
                HttpRequest request = requestHeaders.toRequest(h.headers(), h.isEndStream());
                headOnly = request.method().name().equals("HEAD");
                if (request instanceof ExtendedConnect) {
                    tunnelFrames = new ArrayDeque<>();
                    if (h.isEndStream()) {
                        tunnelFrames.add(new DefaultHttp2DataFrame(true));
                    }
                }
                ctx.fireChannelRead(request);
                if (h.isEndStream() || tunnelFrames != null) {
                    ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            } else {
                LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                RequestHeaders.copyTrailers(h.headers(), trailers.trailingHeaders());
                ctx.fireChannelRead(trailers);
            }
        } else if (msg instanceof Http2DataFrame d) {
            ByteBuf content = d.content();
            ctx.fireChannelRead(d.isEndStream() ? new DefaultLastHttpContent(content) : new DefaultHttpContent(content));
        } else if (msg instanceof BodyLengthCheck.Mismatch m) {
            if (requestSeen) {
                ctx.fireChannelRead(m.asContent());
            } else {
                ctx.close();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (ended) {
            ReferenceCountUtil.release(msg);
            promise.setSuccess();
            return;
        }
        if (msg instanceof HttpResponse response) {
            answeredBy(ctx);
            Http2Headers head = head(response);
            if (response.status().code() < 200) {
                ctx.write(new DefaultHttp2HeadersFrame(head, false), promise);
                return;
            }
            boolean noBody = headOnly || response.status().code() == 204 || response.status().code() == 304;
            if (msg instanceof FullHttpMessage full) {
                if (noBody || !full.content().isReadable() && full.trailingHeaders().isEmpty()) {
                    full.release();
                    ended = true;
                    ctx.write(new DefaultHttp2HeadersFrame(head, true), promise);
                } else {
                    ctx.write(new DefaultHttp2HeadersFrame(head, false));
                    body(ctx, full, promise);
                }
                return;
            }
            if (noBody) {
                ended = true;
                ctx.write(new DefaultHttp2HeadersFrame(head, true), promise);
                return;
            }
            heldHead = head;
            heldPromise = promise;
        } else if (msg instanceof HttpContent content) {
            if (heldHead != null) {
                boolean emptyEnd = content instanceof LastHttpContent last && !last.content().isReadable()
                        && last.trailingHeaders().isEmpty();
                ctx.write(new DefaultHttp2HeadersFrame(heldHead, emptyEnd), heldPromise);
                heldHead = null;
                heldPromise = null;
                if (emptyEnd) {
                    content.release();
                    ended = true;
                    promise.setSuccess();
                    return;
                }
            }
            body(ctx, content, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (heldHead != null) {
            ctx.write(new DefaultHttp2HeadersFrame(heldHead, false), heldPromise);
            heldHead = null;
            heldPromise = null;
        }
        ctx.flush();
    }

    /** The DATA frame size is the answering location's http2_chunk_size. */
    private void answeredBy(ChannelHandlerContext ctx) {
        HttpConnectionHandler exchanges = ctx.pipeline().get(HttpConnectionHandler.class);
        io.ferry.model.LocationSettings location = exchanges == null ? null : exchanges.answering();
        if (location != null) {
            chunkSize = location.module(Http2Module.SETTINGS).chunkSize();
            if (ctx.channel().parent().pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class)
                    .connection().remote().flowController() instanceof ChunkFlowController frames) {
                frames.chunkSize(((io.netty.handler.codec.http2.Http2StreamChannel) ctx.channel()).stream().id(), chunkSize);
            }
        }
    }

    /** Body bytes as DATA frames of at most http2_chunk_size; the last ends the stream, or the trailers after it do. */
    private void body(ChannelHandlerContext ctx, HttpContent content, ChannelPromise promise) {
        ByteBuf bytes = content.content();
        boolean last = content instanceof LastHttpContent;
        HttpHeaders trailers = last ? ((LastHttpContent) content).trailingHeaders() : null;
        boolean endOnData = last && trailers.isEmpty();
        ended = last;
        if (!bytes.isReadable()) {
            if (endOnData) {
                ctx.write(new DefaultHttp2DataFrame(bytes, true), promise);
            } else {
                bytes.release();
                if (last) {
                    ctx.write(new DefaultHttp2HeadersFrame(trailerHeaders(trailers), true), promise);
                } else {
                    promise.setSuccess();
                }
            }
            return;
        }
        ChannelPromise done = trailers != null && !trailers.isEmpty() ? ctx.newPromise() : promise;
        while (bytes.readableBytes() > chunkSize) {
            ctx.write(new DefaultHttp2DataFrame(bytes.readRetainedSlice(chunkSize), false));
        }
        ctx.write(new DefaultHttp2DataFrame(bytes, endOnData), done);
        if (done != promise) {
            ctx.write(new DefaultHttp2HeadersFrame(trailerHeaders(trailers), true))
                    .addListener(new ChannelPromiseNotifier(promise));
        }
    }

    private static Http2Headers head(HttpResponse response) {
        Http2Headers out = new DefaultHttp2Headers(false, response.headers().size() + 1);
        out.status(response.status().codeAsText());
        for (var it = response.headers().iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> h = it.next();
            AsciiString name = AsciiString.of(h.getKey()).toLowerCase();
            if (!CONNECTION_FIELDS.contains(name)) {
                out.add(name, h.getValue());
            }
        }
        return out;
    }

    private static Http2Headers trailerHeaders(HttpHeaders trailers) {
        Http2Headers out = new DefaultHttp2Headers(false, trailers.size());
        for (Map.Entry<String, String> h : trailers) {
            out.add(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        }
        return out;
    }

    /** The frames that came behind an extended CONNECT, for the tunnel that takes the stream over. */
    ArrayDeque<Object> takeTunnelFrames() {
        ArrayDeque<Object> frames = tunnelFrames;
        tunnelFrames = null;
        return frames;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (tunnelFrames != null) {
            tunnelFrames.forEach(ReferenceCountUtil::release);
            tunnelFrames = null;
        }
        if (heldHead != null) {
            heldPromise.tryFailure(new IllegalStateException("stream codec removed"));
            heldHead = null;
        }
    }
}
