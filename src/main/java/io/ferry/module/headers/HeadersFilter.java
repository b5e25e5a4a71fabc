package io.ferry.module.headers;

import io.ferry.http.Exchange;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Locale;
import java.util.Set;

/** add_header and expires, on the statuses nginx adds them to (add_header ... always on every one). */
final class HeadersFilter {
    private static final Set<String> REPLACED = Set.of("etag", "last-modified");
    private static final Set<Integer> SUCCESS = Set.of(200, 201, 204, 206, 301, 302, 303, 304, 307, 308);

    private HeadersFilter() {
    }

    static void filter(Exchange ex, HttpResponse response) {
        HeadersSettings rules = HeadersModule.SETTINGS.in(ex.settings().modules());
        boolean success = SUCCESS.contains(response.status().code());
        if (success && rules.expires() != null) {
            rules.expires().apply(response.headers(), ex);
        }
        for (HeadersSettings.Added h : rules.added()) {
            if (success || h.always()) {
                String value = h.value().render(ex);
                if (REPLACED.contains(h.name().toLowerCase(Locale.ROOT))) {
                    // nginx keeps one of each: a value replaces the response's own, an empty one removes it
                    if (value.isEmpty()) {
                        response.headers().remove(h.name());
                    } else {
                        response.headers().set(h.name(), value);
                    }
                } else if (!value.isEmpty()) {
                    response.headers().add(h.name(), value);
                }
            }
        }
    }
}
