package io.ferry.module.headers;

import io.ferry.http.Exchange;
import io.ferry.module.chunked.ChunkedModule;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;
import java.util.Set;

/**
 * add_header and expires, on the statuses nginx adds them to (add_header ... always on every one);
 * add_trailer's lines make the response chunked and put a {@link Trailers} filter on its body.
 */
final class HeadersFilter {
    private static final DefaultHttpHeadersFactory UNCHECKED = DefaultHttpHeadersFactory.headersFactory()
            .withValueValidation(false);
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
                    response.headers().remove(h.name());
                }
                if (!value.isEmpty()) {
                    addAsWritten(response.headers(), h.name(), value);
                }
            }
        }
        if (rules.trailers().stream().anyMatch(t -> success || t.always()) && canChunk(ex, response)) {
            ChunkedModule.expectTrailers(ex);
            ex.addBodyFilter(new Trailers(ex, rules.trailers(), success));
        }
    }

    /**
     * Trailers need chunks: the client's own request over HTTP/1.1 with chunked_transfer_encoding
     * on, and a response that has a body (nginx's chunked filter makes the same choice).
     */
    private static boolean canChunk(Exchange ex, HttpResponse response) {
        int status = response.status().code();
        return !ex.isSubrequest() && !ex.isHead() && status >= 200 && status != 204 && status != 304
                && !ex.request().protocolVersion().equals(HttpVersion.HTTP_1_0) && ChunkedModule.allowed(ex);
    }

    /**
     * nginx writes a configured value as it is, control characters included (add_header X "a\\n" sends
     * the line feed). Netty's headers refuse those on add but not when copied from headers of the same
     * name rules that skip value checks, so only such a value takes that way.
     */
    private static void addAsWritten(HttpHeaders headers, String name, String value) {
        if (value.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
            headers.add(name, value);
            return;
        }
        HttpHeaders unchecked = UNCHECKED.newHeaders();
        unchecked.add(name, value);
        headers.add(unchecked);
    }
}
