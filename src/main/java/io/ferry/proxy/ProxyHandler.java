package io.ferry.proxy;

import io.ferry.http.ContentHandler;
import io.ferry.http.Exchange;
import io.ferry.model.ProxySettings;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Upstreams;

/** proxy_pass: each exchange gets its own {@link ProxyExchange} over the location's upstream group. */
public final class ProxyHandler implements ContentHandler {
    private final Upstreams upstreams;
    private final Tunnels tunnels;

    public ProxyHandler(Upstreams upstreams, Tunnels tunnels) {
        this.upstreams = upstreams;
        this.tunnels = tunnels;
    }

    @Override
    public void handle(Exchange exchange) {
        ProxySettings proxy = exchange.settings().proxy();
        new ProxyExchange(exchange, proxy, upstreams.group(proxy.target().upstream()), tunnels).start();
    }
}
