package io.ferry.fastcgi;

import io.ferry.cache.HttpCache;
import io.ferry.http.Exchange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The PARAMS of one request, as nginx builds them: every fastcgi_param in order (an
 * {@code if_not_empty} one only when its value is not empty), then each request header as
 * {@code HTTP_NAME} (upper case, '-' as '_'), several values joined, unless a fastcgi_param already
 * sets that name.
 */
final class FastCgiRequest {
    private FastCgiRequest() {
    }

    /** With fastcgi_cache on, the client's conditions and ranges stay here: the cache answers them (nginx). */
    private static final Set<String> CACHE_CLEARED = Set.of("if-modified-since", "if-unmodified-since", "if-none-match",
            "if-match", "range", "if-range");

    static List<FastCgiParams.Pair> params(Exchange ex, FastCgiSettings settings) {
        List<FastCgiParams.Pair> out = new ArrayList<>();
        Set<String> explicit = new HashSet<>();
        for (FastCgiParam p : settings.params()) {
            explicit.add(p.name().toUpperCase(Locale.ROOT));
            String value = p.value().render(ex);
            if (p.ifNotEmpty() && value.isEmpty()) {
                continue;
            }
            out.add(FastCgiParams.Pair.utf8(p.name(), value));
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : ex.request().headers().names()) {
            names.add(name.toLowerCase(Locale.ROOT));
        }
        boolean cached = HttpCache.enabled(ex.settings(), HttpCache.Protocol.FASTCGI);
        for (String lower : names) {
            String param = headerParam(lower);
            if (param == null || explicit.contains(param) || cached && CACHE_CLEARED.contains(lower)) {
                continue;
            }
            String value = ex.requestHeader(lower);
            if (value != null) {
                out.add(FastCgiParams.Pair.latin1(param, value));
            }
        }
        return out;
    }

    /**
     * {@code HTTP_X_NAME} for a header, or null for one that is not passed: names with characters
     * other than letters, digits and '-' (nginx ignores them as invalid, so "X_Forwarded_For" cannot
     * pose as "X-Forwarded-For"), and "Proxy" (httpoxy: it would become HTTP_PROXY).
     */
    static String headerParam(String lowerName) {
        if (lowerName.isEmpty() || lowerName.equals("proxy")) {
            return null;
        }
        StringBuilder sb = new StringBuilder(5 + lowerName.length()).append("HTTP_");
        for (int i = 0; i < lowerName.length(); i++) {
            char c = lowerName.charAt(i);
            if (c == '-') {
                sb.append('_');
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append((char) (c >= 'a' ? c - 32 : c));
            } else {
                return null;
            }
        }
        return sb.toString();
    }
}
