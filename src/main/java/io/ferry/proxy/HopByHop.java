package io.ferry.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * RFC 9110 §7.6.1: connection-specific headers, plus every header the Connection header names,
 * never cross the proxy in either direction.
 */
final class HopByHop {
    private static final Set<String> ALWAYS = Set.of(
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHop() {
    }

    /** The lower-case names to drop from these headers (the fixed set, shared, when Connection names none). */
    static Set<String> names(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return ALWAYS;
        }
        Set<String> names = new HashSet<>(ALWAYS);
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names;
    }
}
