package io.ferry.module.headers;

import io.ferry.http.Exchange;
import io.ferry.http.HttpDate;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Set;

/** add_header and expires, on the statuses nginx adds them to (add_header ... always on every one). */
final class HeadersFilter {
    private static final Set<Integer> SUCCESS = Set.of(200, 201, 204, 206, 301, 302, 303, 304, 307, 308);
    private static final String MAX_EXPIRES = "Thu, 31 Dec 2037 23:55:55 GMT";

    private HeadersFilter() {
    }

    static void filter(Exchange ex, HttpResponse response) {
        HeadersSettings rules = HeadersModule.SETTINGS.in(ex.settings().modules());
        boolean success = SUCCESS.contains(response.status().code());
        if (success && rules.expires() != null) {
            expires(rules.expires(), response);
        }
        for (HeadersSettings.Added h : rules.added()) {
            if (success || h.always()) {
                String value = h.value().render(ex);
                if (!value.isEmpty()) {
                    response.headers().add(h.name(), value);
                }
            }
        }
    }

    private static void expires(HeadersSettings.Expires e, HttpResponse response) {
        switch (e.kind()) {
            case EPOCH -> {
                response.headers().set("Expires", "Thu, 01 Jan 1970 00:00:01 GMT");
                response.headers().set("Cache-Control", "no-cache");
            }
            case MAX -> {
                response.headers().set("Expires", MAX_EXPIRES);
                response.headers().set("Cache-Control", "max-age=315360000");
            }
            default -> {
                long seconds = e.offset().toSeconds();
                response.headers().set("Expires", HttpDate.format(System.currentTimeMillis() / 1000 + seconds));
                response.headers().set("Cache-Control", seconds <= 0 ? "no-cache" : "max-age=" + seconds);
            }
        }
    }
}
