package io.ferry.model;

/**
 * The parsed proxy_pass URL. {@code uri} is null when the URL has no path part (the request URI is
 * passed unchanged); {@code locationPrefix} is the prefix it replaces, as in nginx.
 */
public record ProxyTarget(boolean https, String host, int port, String uri, String locationPrefix) {

    /** nginx's $proxy_host: host, with the port unless it is the scheme's default. */
    public String hostHeader() {
        boolean defaultPort = https ? port == 443 : port == 80;
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return defaultPort ? h : h + ":" + port;
    }
}
