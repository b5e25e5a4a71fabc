package io.ferry.upstream;

import java.util.Locale;
import java.util.Map;

/**
 * The groups a {@code *_pass} with variables may name at run time, as nginx's list of upstreams:
 * the upstream blocks by name, and the implicit groups other {@code *_pass} directives made, by
 * host and port. The map is the one configuration building fills; it is read only after the
 * configuration is complete.
 */
public record UpstreamNames(Map<String, Upstream> groups) {

    /** The key an implicit group is kept under: a space never starts an upstream block's name. */
    public static String implicitKey(String host, int port) {
        return " " + host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    /**
     * nginx's match: an upstream block when the URL gave no port, else an implicit group of the
     * same host and port ({@code port} is the scheme's default when the URL gave none).
     */
    public Upstream find(String host, int port, boolean noPort) {
        if (noPort) {
            Upstream block = groups.get(host);
            if (block != null) {
                return block;
            }
        }
        return groups.get(implicitKey(host, port));
    }
}
