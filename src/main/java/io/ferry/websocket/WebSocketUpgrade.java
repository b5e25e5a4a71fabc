package io.ferry.websocket;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/** Recognises a client's request to switch protocols (RFC 9110 §7.8), WebSocket being the common case. */
public final class WebSocketUpgrade {
    private WebSocketUpgrade() {
    }

    /** Any protocol switch the client asks for; a 101 answer to it turns the connection into a tunnel. */
    public static boolean isRequested(HttpRequest request) {
        return request instanceof ExtendedConnect || request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && request.headers().contains(HttpHeaderNames.UPGRADE)
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /**
     * A WebSocket opening handshake (RFC 6455 §4.1): only these are forwarded without the
     * Upgrade/Connection boilerplate; an "Upgrade: h2c" from an HTTP/2-capable client is not.
     */
    public static boolean isWebSocket(HttpRequest request) {
        if (request instanceof ExtendedConnect connect) {
            return connect.websocket();
        }
        return isRequested(request) && request.method().equals(HttpMethod.GET)
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }
}
