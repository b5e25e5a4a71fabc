package io.ferry.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Netty's server codec, stricter where RFC 9112 lets a proxy refuse: a request carrying both
 * Transfer-Encoding and Content-Length, or an obsolete line folding in its header block, is a
 * smuggling vector and becomes a failed request (400, connection closed) instead of being
 * repaired. Responses to HEAD get no body, as in Netty's own codec.
 */
public final class ServerCodec extends CombinedChannelDuplexHandler<ServerCodec.Decoder, ServerCodec.Encoder> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.ferry.error");

    /**
     * {@code maxLine}: the longest header line accepted (nginx: one large_client_header_buffers buffer);
     * {@code headers}: the default server's ignore_invalid_headers and underscores_in_headers.
     */
    public ServerCodec(HttpDecoderConfig config, int maxLine, io.ferry.http.conn.ConnectionSettings headers) {
        ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
        init(new Decoder(config, maxLine, headers.ignoreInvalidHeaders() ? headers.underscoresInHeaders() ? 1 : 0 : -1, methods),
                new Encoder(methods));
    }

    /** The exchange of an upgrade request did not switch protocols: what follows it is HTTP after all. */
    void resumeAfterUpgrade() {
        inboundHandler().resume();
    }

    /**
     * What comes next is refused as a bad request (400, connection closed) without being parsed: the
     * bytes began as HTTP/2's connection preface on a socket that takes both, and then were not one.
     */
    public void refuseNext(String why) {
        inboundHandler().refusal = new IllegalArgumentException(why);
    }

    /** The bytes held undecoded behind an upgrade request (null if none), taken when the connection becomes a tunnel. */
    public io.netty.buffer.ByteBuf takeUndecoded() {
        return inboundHandler().takeHeld();
    }

    /** The decoder's verdict on a Transfer-Encoding Ferry cannot decode: 501, not 400. */
    public static final class UnsupportedTransferCoding extends IllegalArgumentException {
        UnsupportedTransferCoding() {
            super("a transfer coding other than chunked");
        }
    }

    static final class Decoder extends HttpRequestDecoder {
        private final ArrayDeque<HttpMethod> methods;
        private final int maxLine;
        /** -1: every name Netty takes is kept; 0: names outside nginx's letters, digits and '-' are dropped; 1: '_' too is valid. */
        private final int validNames;
        private boolean atHeaders = true;
        private boolean rejected;
        private boolean requestLineComplete;
        private boolean requestLineSeen;
        /** Transfer-Encoding lines of this request's header block so far, and whether one named a coding other than chunked. */
        private int transferEncodings;
        private boolean unsupportedCoding;
        /**
         * After an upgrade request, the bytes behind it may belong to the protocol it switches to:
         * they stay undecoded until the answer is known (a tunnel then takes them as they are).
         */
        private boolean upgradeRequested;
        private Exception refusal;
        private boolean paused;
        private ChannelHandlerContext decoderContext;

        Decoder(HttpDecoderConfig config, int maxLine, int validNames, ArrayDeque<HttpMethod> methods) {
            super(config);
            this.maxLine = maxLine;
            this.validNames = validNames;
            this.methods = methods;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (rejected) {
                in.skipBytes(in.readableBytes());
                return;
            }
            decoderContext = ctx;
            if (paused) {
                return;
            }
            if (refusal != null) {
                reject(in, out, refusal);
                return;
            }
            if (atHeaders) {
                Exception problem = headerProblem(in, maxLine);
                if (problem != null) {
                    reject(in, out, problem);
                    return;
                }
            }
            int before = out.size();
            super.decode(ctx, in, out);
            if (requestLineComplete) {
                requestLineSeen = true;
            }
            for (int i = before; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpRequest r) {
                    methods.add(r.method());
                    atHeaders = false;
                    upgradeRequested = io.ferry.websocket.WebSocketUpgrade.isRequested(r);
                    if (r.decoderResult().isFailure()) {
                        rejected = true;
                    }
                }
                if (o instanceof LastHttpContent) {
                    paused = upgradeRequested;
                    atHeaders = true;
                    requestLineComplete = false;
                    requestLineSeen = false;
                    transferEncodings = 0;
                    unsupportedCoding = false;
                }
            }
        }

        ByteBuf takeHeld() {
            int n = actualReadableBytes();
            return paused && n > 0 ? internalBuffer().readRetainedSlice(n) : null;
        }

        /** Decodes what was held behind an upgrade request, on a later turn: never from inside a decode. */
        void resume() {
            if (!paused) {
                return;
            }
            paused = false;
            ChannelHandlerContext ctx = decoderContext;
            ctx.executor().execute(() -> {
                if (!ctx.isRemoved() && actualReadableBytes() > 0) {
                    try {
                        channelRead(ctx, Unpooled.EMPTY_BUFFER);
                    } catch (Exception e) {
                        ctx.fireExceptionCaught(e);
                    }
                }
            });
        }

        /**
         * nginx's request line parser takes only upper-case letters, '_' and '-' in a method, and refuses
         * any other byte as soon as it arrives, without waiting for the line to end.
         */
        private static boolean invalidMethod(ByteBuf in, int start, int end) {
            int i = start;
            while (i < end && (in.getByte(i) == '\r' || in.getByte(i) == '\n')) {
                i++;
            }
            for (; i < end; i++) {
                byte b = in.getByte(i);
                if (b == ' ') {
                    return false;
                }
                if (!(b >= 'A' && b <= 'Z' || b == '_' || b == '-')) {
                    return true;
                }
            }
            return false;
        }

        /**
         * A Transfer-Encoding line: a second one is a bad request (nginx takes the field once only),
         * one whose value is not exactly "chunked" is 501 once the block ended without a second.
         */
        private Exception transferEncoding(ByteBuf in, int start, int end) {
            String line = in.toString(start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
            int colon = line.indexOf(':');
            if (colon <= 0 || !line.substring(0, colon).equalsIgnoreCase("transfer-encoding")) {
                return null;
            }
            if (++transferEncodings > 1) {
                return new IllegalArgumentException("duplicate Transfer-Encoding in the request");
            }
            unsupportedCoding = !line.substring(colon + 1).trim().equalsIgnoreCase("chunked");
            return null;
        }

        /**
         * Looks at the header block buffered so far: a line starting with a space or tab after the
         * request line (obs-fold, RFC 9112 §5.2), a Transfer-Encoding Ferry cannot decode, or a
         * header line longer than one large buffer. The last is a header field too large, as a
         * block over all the buffers is (Netty's own limit): both are 431 (RFC 6585), one answer
         * for one kind of excess. Netty consumes complete header lines only, so the buffer always
         * starts at a line start; once the request line has been seen and decoded, what follows
         * are header lines.
         */
        private Exception headerProblem(ByteBuf in, int maxLine) {
            int end = in.writerIndex();
            int lineStart = in.readerIndex();
            boolean firstLine = !requestLineSeen;
            if (firstLine && invalidMethod(in, lineStart, end)) {
                return new IllegalArgumentException("client sent invalid method");
            }
            for (int i = lineStart; i < end; i++) {
                byte b = in.getByte(i);
                if (b == '\n') {
                    boolean empty = i == lineStart || (i == lineStart + 1 && in.getByte(lineStart) == '\r');
                    if (!firstLine && empty) {
                        return unsupportedCoding ? new UnsupportedTransferCoding() : null;
                    }
                    if (!firstLine && !empty && invalidName(in, lineStart, i)) {
                        String line = in.toString(lineStart, i - lineStart, java.nio.charset.StandardCharsets.ISO_8859_1).stripTrailing();
                        LOG.info("client sent invalid header line: \"{}\" while reading client request headers, client: {}",
                                line, decoderContext.channel().remoteAddress());
                        end = dropLine(in, lineStart, i + 1);
                        i = lineStart - 1;
                        continue;
                    }
                    Exception coding = firstLine || empty ? null : transferEncoding(in, lineStart, i);
                    if (coding != null) {
                        return coding;
                    }
                    if (!empty && firstLine) {
                        firstLine = false;
                        requestLineComplete = true;
                    }
                    lineStart = i + 1;
                } else if (firstLine && ((b < 0x20 && b != '\r') || b == 0x7f)) {
                    // nginx (1.21.1+) refuses control characters in the request line rather than guess where it ends
                    return new IllegalArgumentException("a control character in the request line");
                } else if (!firstLine && i == lineStart && (b == ' ' || b == '\t')) {
                    return new IllegalArgumentException("obsolete line folding in the request header");
                } else if (!firstLine && i - lineStart >= maxLine) {
                    return new TooLongHttpHeaderException("a request header line longer than " + maxLine + " bytes");
                }
            }
            return null;
        }

        /**
         * ignore_invalid_headers: a name of visible characters with one nginx does not take. A name
         * with a space or control character stays for the codec to refuse, as nginx refuses it.
         */
        private boolean invalidName(ByteBuf in, int start, int end) {
            if (validNames < 0) {
                return false;
            }
            boolean invalid = false;
            for (int i = start; i < end; i++) {
                int b = in.getByte(i) & 0xff;
                if (b == ':') {
                    return invalid && i > start;
                }
                if (b <= 0x20 || b == 0x7f) {
                    return false;
                }
                invalid |= !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-'
                        || b == '_' && validNames == 1);
            }
            return false;
        }

        /** Takes the line [start, next) out of the buffered header; returns the buffer's new end. */
        private static int dropLine(ByteBuf in, int start, int next) {
            int end = in.writerIndex();
            byte[] rest = new byte[end - next];
            in.getBytes(next, rest);
            in.setBytes(start, rest);
            in.writerIndex(end - (next - start));
            return in.writerIndex();
        }

        private void reject(ByteBuf in, List<Object> out, Exception cause) {
            in.skipBytes(in.readableBytes());
            rejected = true;
            FullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request", Unpooled.EMPTY_BUFFER);
            bad.setDecoderResult(DecoderResult.failure(cause));
            methods.add(HttpMethod.GET);
            out.add(bad);
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new IllegalArgumentException("both Transfer-Encoding and Content-Length in the request");
        }
    }

    static final class Encoder extends HttpResponseEncoder {
        private final ArrayDeque<HttpMethod> methods;

        Encoder(ArrayDeque<HttpMethod> methods) {
            this.methods = methods;
        }

        /** Interim 1xx answers (but 101) do not end an exchange, so they do not consume its method. */
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            int code = msg.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                return true;
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
