package io.ferry.module.headers;

import io.ferry.http.Exchange;
import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * add_trailer's fields (nginx's trailers filter): the body passes untouched; at its end each line
 * that applies to the status is rendered, so variables see the whole response ($body_bytes_sent,
 * $upstream_response_length, and $sent_trailer_* the fields added before it). An empty value adds
 * no field.
 */
final class Trailers implements BodyFilter {
    private final Exchange exchange;
    private final List<HeadersSettings.Added> lines;
    private final boolean success;

    Trailers(Exchange exchange, List<HeadersSettings.Added> lines, boolean success) {
        this.exchange = exchange;
        this.lines = lines;
        this.success = success;
    }

    @Override
    public ByteBuf filter(ByteBuf in, ByteBufAllocator alloc) {
        return in;
    }

    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        return alloc.buffer(0);
    }

    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        return alloc.buffer(0);
    }

    @Override
    public void trailers(HttpHeaders trailers) {
        HttpHeaders sent = exchange.sentTrailers();
        for (HeadersSettings.Added line : lines) {
            if (success || line.always()) {
                String value = line.value().render(exchange);
                if (!value.isEmpty()) {
                    sent.add(line.name(), sanitized(value));
                }
            }
        }
        trailers.add(sent);
    }

    @Override
    public void abandon() {
    }

    /** As nginx: a NUL, CR or LF would end the field early, so each becomes a space. */
    static String sanitized(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\r' || c == '\n') {
                if (out == null) {
                    out = new StringBuilder(value);
                }
                out.setCharAt(i, ' ');
            }
        }
        return out == null ? value : out.toString();
    }
}
