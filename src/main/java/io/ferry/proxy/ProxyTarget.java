package io.ferry.proxy;

import io.ferry.resolver.PassAddress;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamNames;
import io.ferry.variable.Template;

/**
 * The parsed proxy_pass URL. {@code uri} is null when the URL has no path part (the request URI is
 * passed unchanged); {@code locationPrefix} is the prefix it replaces, as in nginx, and null for a
 * URL evaluated from variables, whose URI part goes whole. {@code hostHeader} is nginx's
 * $proxy_host: the upstream name, or host[:port] for a plain address. A URL with variables has
 * {@code url} (evaluated per request) and {@code names} (the groups it may name) instead of a group.
 */
public record ProxyTarget(boolean https, Upstream upstream, String hostHeader, int port, String uri,
        String locationPrefix, Template url, UpstreamNames names) {

    ProxyTarget(boolean https, Upstream upstream, String hostHeader, int port, String uri, String locationPrefix) {
        this(https, upstream, hostHeader, port, uri, locationPrefix, null, null);
    }

    /** One request's URL: the text {@code url} evaluated to, as nginx's ngx_http_proxy_eval reads it. */
    record Evaluated(ProxyTarget target, PassAddress address) {
    }

    /** Null, with {@code error} holding nginx's complaint, when the text is no proxy URL; unix:PATH keeps the socket as the host. */
    static Evaluated evaluate(String text, StringBuilder error) {
        boolean https;
        String rest;
        if (text.regionMatches(true, 0, "http://", 0, 7)) {
            https = false;
            rest = text.substring(7);
        } else if (text.regionMatches(true, 0, "https://", 0, 8)) {
            https = true;
            rest = text.substring(8);
        } else {
            error.append("invalid URL prefix in \"").append(text).append('"');
            return null;
        }
        if (rest.regionMatches(true, 0, "unix:", 0, 5)) {
            int colon = rest.indexOf(':', 5);
            String socket = colon < 0 ? rest : rest.substring(0, colon);
            if (socket.length() == 5) {
                error.append("no path in the unix domain socket \"").append(rest).append('"');
                return null;
            }
            String uri = colon < 0 || colon == rest.length() - 1 ? null : rest.substring(colon + 1);
            return new Evaluated(new ProxyTarget(https, null, "localhost", 0, uri, null), new PassAddress(socket, 0, true));
        }
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?') {
                end = i;
                break;
            }
        }
        String hostPort = rest.substring(0, end);
        String uri = end == rest.length() ? null : rest.charAt(end) == '?' ? "/" + rest.substring(end) : rest.substring(end);
        int defaultPort = https ? 443 : 80;
        PassAddress address = PassAddress.parse(hostPort, defaultPort, error);
        if (address == null) {
            return null;
        }
        String hostHeader = address.port() == defaultPort ? address.host() : hostPort;
        return new Evaluated(new ProxyTarget(https, null, hostHeader, address.port(), uri, null), address);
    }
}
