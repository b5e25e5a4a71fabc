package io.ferry.fastcgi;

import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.http.Exchange;
import io.ferry.upstream.Upstreams;

/** fastcgi_pass: each exchange gets its own {@link FastCgiExchange} over the location's upstream group. */
final class FastCgiHandler implements ContentPhaseHandler {
    private final Upstreams upstreams;

    FastCgiHandler(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public boolean handle(Exchange exchange) {
        FastCgiSettings settings = exchange.settings().module(FastCgiModule.SETTINGS);
        if (settings == null) {
            return false;
        }
        new FastCgiExchange(exchange, settings, upstreams.group(settings.upstream())).start();
        return true;
    }
}
