package io.ferry.memcached;

import io.ferry.http.ContentHandler;
import io.ferry.http.Exchange;
import io.ferry.model.MemcachedSettings;
import io.ferry.upstream.Upstreams;

/** memcached_pass: each request gets its own {@link MemcachedExchange} over the location's upstream group. */
public final class MemcachedHandler implements ContentHandler {
    private final Upstreams upstreams;

    public MemcachedHandler(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public void handle(Exchange exchange) {
        MemcachedSettings settings = exchange.settings().memcached();
        new MemcachedExchange(exchange, settings, upstreams.group(settings.upstream())).start();
    }
}
