package io.ferry.http;

import io.ferry.http.syntax.RequestHost;

import io.ferry.model.RedirectStyle;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.InetSocketAddress;

/**
 * nginx's header filter for a Location Ferry made itself, or one proxy_redirect rewrote: one starting with "/" gets a scheme,
 * host and port unless absolute_redirect is off, so clients that predate RFC 7231's relative
 * Location still follow it. The host is the server's first name (server_name_in_redirect on), else
 * the request's valid Host, else the local address; the local port follows unless it is the
 * scheme's default or port_in_redirect is off.
 */
public final class RedirectLocation {
    private RedirectLocation() {
    }

    public static String of(ExchangeVariables ex, String location) {
        RedirectStyle style = ex.settings().redirectStyle();
        if (!location.startsWith("/") || !style.absolute()) {
            return location;
        }
        // a unix domain socket has neither address nor port: the server's name stands in, as in nginx
        InetSocketAddress local = ex.channel().localAddress() instanceof InetSocketAddress inet ? inet : null;
        String host = style.serverName() ? ex.server().primaryName() : requestHost(ex);
        if (host == null) {
            host = local == null ? ex.server().primaryName() : local.getAddress().getHostAddress();
        }
        int port = local == null ? (ex.isSecure() ? 443 : 80) : local.getPort();
        boolean showPort = style.port() && port != (ex.isSecure() ? 443 : 80);
        return ex.scheme() + "://" + host + (showPort ? ":" + port : "") + location;
    }

    /** The Host as nginx keeps it (headers_in.server): port and one trailing dot cut, lower case; null when absent or invalid. */
    private static String requestHost(ExchangeVariables ex) {
        String raw = ex.target() != null && ex.target().absoluteHost() != null ? ex.target().absoluteHost()
                : ex.request().headers().get(HttpHeaderNames.HOST);
        return RequestHost.of(raw);
    }
}
