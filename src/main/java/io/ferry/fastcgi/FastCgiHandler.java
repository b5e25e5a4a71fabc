package io.ferry.fastcgi;

import io.ferry.http.ContentHandler;
import io.ferry.http.Exchange;
import io.ferry.model.FastCgiSettings;
import io.ferry.upstream.Upstreams;

/** fastcgi_pass: each exchange gets its own {@link FastCgiExchange} over the location's upstream group. */
public final class FastCgiHandler implements ContentHandler {
    private final Upstreams upstreams;

    public FastCgiHandler(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public void handle(Exchange exchange) {
        FastCgiSettings settings = exchange.settings().fastcgi();
        new FastCgiExchange(exchange, settings, upstreams.group(settings.upstream())).start();
    }
}
