package io.ferry.proxy;

import io.ferry.model.HeaderNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * RFC 9110 §7.6.1: connection-specific headers, plus every header the Connection header names,
 * never cross the proxy in either direction. The sets ignore case, so header names are looked up
 * as they come, without a lower-cased copy per header.
 */
final class HopByHop {
    private static final Set<String> ALWAYS = HeaderNames.caseless(List.of("connection", "keep-alive", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade"));

    private HopByHop() {
    }

    /** The names to drop; the shared fixed set when Connection names only options, not headers. */
    static Set<String> names(HttpHeaders headers) {
        TreeSet<String> names = null;
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (t.isEmpty() || t.equalsIgnoreCase("close") || ALWAYS.contains(t)) {
                    continue;
                }
                if (names == null) {
                    names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
                    names.addAll(ALWAYS);
                }
                names.add(t);
            }
        }
        return names == null ? ALWAYS : names;
    }
}
