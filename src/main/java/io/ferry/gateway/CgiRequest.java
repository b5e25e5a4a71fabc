package io.ferry.gateway;

import io.ferry.cache.HttpCache;
import io.ferry.http.Exchange;
import io.ferry.variable.Template;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The variables a CGI-style gateway (FastCGI, uwsgi, SCGI) gets for one request, as nginx builds
 * them: every PREFIX_param in order (an {@code if_not_empty} one only when its value is not empty),
 * then each request header as {@code HTTP_NAME} (upper case, '-' as '_'), several values joined,
 * unless a param already sets that name.
 */
public final class CgiRequest {
    private CgiRequest() {
    }

    /** PREFIX_param NAME VALUE [if_not_empty]: with {@code ifNotEmpty} a value rendering to "" is not sent. */
    public record Param(String name, Template value, boolean ifNotEmpty) {
    }

    /**
     * One name-value pair as bytes. Values rendered from the configuration are UTF-8 (a decoded
     * $uri is Unicode); request header values are ISO-8859-1, byte for byte as the client sent them.
     */
    public record Pair(String name, byte[] value) {
        public static Pair utf8(String name, String value) {
            return new Pair(name, value.getBytes(StandardCharsets.UTF_8));
        }

        public static Pair latin1(String name, String value) {
            return new Pair(name, value.getBytes(StandardCharsets.ISO_8859_1));
        }

        public byte[] nameBytes() {
            return name.getBytes(StandardCharsets.ISO_8859_1);
        }

        public String text() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    /** With the gateway's cache on, the client's conditions and ranges stay here: the cache answers them (nginx). */
    private static final Set<String> CACHE_CLEARED = Set.of("if-modified-since", "if-unmodified-since", "if-none-match",
            "if-match", "range", "if-range");

    /**
     * The pairs for {@code params}, then the request headers when {@code passHeaders} (PREFIX_pass_request_headers);
     * {@code cached}: a cache answers conditional and range requests, so those headers stay here.
     */
    public static List<Pair> params(Exchange ex, List<Param> params, boolean passHeaders, boolean cached) {
        List<Pair> out = new ArrayList<>();
        Set<String> explicit = new HashSet<>();
        for (Param p : params) {
            explicit.add(p.name().toUpperCase(Locale.ROOT));
            String value = p.value().render(ex);
            if (p.ifNotEmpty() && value.isEmpty()) {
                continue;
            }
            out.add(Pair.utf8(p.name(), value));
        }
        if (cached) {
            HttpCache.conditions(ex, (name, value) -> {
                String param = headerParam(name.toLowerCase(Locale.ROOT));
                if (!explicit.contains(param)) {
                    out.add(Pair.latin1(param, value));
                }
            });
        }
        if (!passHeaders) {
            return out;
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : ex.request().headers().names()) {
            names.add(name.toLowerCase(Locale.ROOT));
        }
        for (String lower : names) {
            String param = headerParam(lower);
            if (param == null || explicit.contains(param) || cached && CACHE_CLEARED.contains(lower)) {
                continue;
            }
            String value = ex.requestHeader(lower);
            if (value != null) {
                out.add(Pair.latin1(param, value));
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
