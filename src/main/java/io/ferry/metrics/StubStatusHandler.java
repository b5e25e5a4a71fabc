package io.ferry.metrics;

import io.ferry.http.conn.ConnectionStates;
import io.ferry.http.hook.ContentHandler;
import io.ferry.http.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** stub_status, with nginx's exact text so existing scrapers keep working. */
final class StubStatusHandler implements ContentHandler {
    private final ConnectionStates states;

    StubStatusHandler(ConnectionStates states) {
        this.states = states;
    }

    @Override
    public void handle(Exchange ex) {
        HttpMethod method = ex.request().method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            ex.sendError(HttpResponseStatus.METHOD_NOT_ALLOWED, false);
            return;
        }
        String text = "Active connections: " + states.active() + " \n"
                + "server accepts handled requests\n"
                + " " + states.accepted() + " " + states.handled() + " " + states.requests() + " \n"
                + "Reading: " + states.count(ConnectionStates.State.READING)
                + " Writing: " + states.count(ConnectionStates.State.WRITING)
                + " Waiting: " + states.count(ConnectionStates.State.WAITING) + " \n";
        send(ex, text.getBytes(StandardCharsets.US_ASCII), "text/plain");
    }

    static void send(Exchange ex, byte[] body, String type) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                ex.isHead() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        res.headers().set("Content-Type", type);
        res.headers().set("Content-Length", body.length);
        res.headers().set("Cache-Control", "no-cache");
        ex.sendFull(res, false);
    }
}
