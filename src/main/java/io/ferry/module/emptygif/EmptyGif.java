package io.ferry.module.emptygif;

import io.ferry.http.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** The answer of {@code empty_gif}: nginx's 43-byte GIF, its type and its fixed Last-Modified. */
final class EmptyGif {
    private static final byte[] GIF = {
        'G', 'I', 'F', '8', '9', 'a', 0x01, 0x00, 0x01, 0x00, (byte) 0x80, 0x01, 0x00, 0x00, 0x00, 0x00,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x21, (byte) 0xf9, 0x04, 0x01, 0x00, 0x00, 0x01, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x4c, 0x01, 0x00, 0x3b};
    /** nginx's last_modified_time 23349600, so that caches can revalidate the image. */
    private static final String LAST_MODIFIED = "Mon, 28 Sep 1970 06:00:00 GMT";

    private EmptyGif() {
    }

    static void send(Exchange exchange) {
        HttpMethod method = exchange.request().method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            exchange.sendError(HttpResponseStatus.METHOD_NOT_ALLOWED, false);
            return;
        }
        // nginx's default "if_modified_since exact": only the very date it sent makes a 304.
        if (LAST_MODIFIED.equals(exchange.request().headers().get(HttpHeaderNames.IF_MODIFIED_SINCE))) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            res.headers().set(HttpHeaderNames.LAST_MODIFIED, LAST_MODIFIED);
            exchange.sendFull(res, false);
            return;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                exchange.isHead() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(GIF));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "image/gif");
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, GIF.length);
        res.headers().set(HttpHeaderNames.LAST_MODIFIED, LAST_MODIFIED);
        exchange.sendFull(res, false);
    }
}
