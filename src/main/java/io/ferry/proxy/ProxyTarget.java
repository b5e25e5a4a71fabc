package io.ferry.proxy;

import io.ferry.upstream.Upstream;

/**
 * The parsed proxy_pass URL. {@code uri} is null when the URL has no path part (the request URI is
 * passed unchanged); {@code locationPrefix} is the prefix it replaces, as in nginx.
 * {@code hostHeader} is nginx's $proxy_host: the upstream name, or host[:port] for a plain address.
 */
public record ProxyTarget(boolean https, Upstream upstream, String hostHeader, int port, String uri, String locationPrefix) {
}
