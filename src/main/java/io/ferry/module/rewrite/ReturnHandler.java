package io.ferry.module.rewrite;

import io.ferry.http.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** nginx's {@code return}: a status with a text body, a redirect, or (444) closing without a response. */
final class ReturnHandler {
    private ReturnHandler() {
    }

    static void respond(Exchange exchange, ReturnAction action) {
        if (action.status() == 444) {
            exchange.timedOut();
            exchange.abort();
            return;
        }
        HttpResponseStatus status = HttpResponseStatus.valueOf(action.status());
        String text = action.text() == null ? null : action.text().render(exchange);
        if (text == null && action.status() >= 400) {
            exchange.sendError(status, false);
            return;
        }
        if (action.isRedirect()) {
            exchange.sendRedirect(status, text);
            return;
        }
        ByteBuf body = text == null || exchange.isHead() ? Unpooled.EMPTY_BUFFER
                : Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        // ngx_http_send_response: the type of the URI's extension, as a file there would have
        res.headers().set("Content-Type", exchange.settings().contentType(exchange.uri()));
        res.headers().set("Content-Length", text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length);
        exchange.sendFull(res, false);
    }
}
