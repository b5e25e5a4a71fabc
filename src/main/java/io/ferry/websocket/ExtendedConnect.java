package io.ferry.websocket;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * An HTTP/2 stream's request to become a tunnel (RFC 8441's extended CONNECT, :protocol naming what
 * the tunnel speaks): the HTTP/2 counterpart of an HTTP/1.1 GET with Upgrade, told apart by its type
 * so a client's own Upgrade field (forbidden on HTTP/2) never makes one.
 */
public final class ExtendedConnect extends DefaultHttpRequest {
    private final String protocol;

    public ExtendedConnect(HttpVersion version, String uri, HttpHeaders headers, String protocol) {
        super(version, HttpMethod.CONNECT, uri, headers);
        this.protocol = protocol;
    }

    public String protocol() {
        return protocol;
    }

    /** Whether the tunnel asked for speaks WebSocket (RFC 8441 §4: ":protocol" websocket). */
    public boolean websocket() {
        return protocol.equalsIgnoreCase("websocket");
    }
}
