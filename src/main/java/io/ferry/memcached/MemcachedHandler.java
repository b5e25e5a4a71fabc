package io.ferry.memcached;

import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.http.Exchange;
import io.ferry.upstream.Upstreams;

/** memcached_pass: each request gets its own {@link MemcachedExchange} over the location's upstream group. */
final class MemcachedHandler implements ContentPhaseHandler {
    private final Upstreams upstreams;

    MemcachedHandler(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public boolean handle(Exchange exchange) {
        MemcachedSettings settings = exchange.settings().module(MemcachedModule.SETTINGS);
        if (settings == null) {
            return false;
        }
        new MemcachedExchange(exchange, settings, upstreams.group(settings.upstream())).start();
        return true;
    }
}
