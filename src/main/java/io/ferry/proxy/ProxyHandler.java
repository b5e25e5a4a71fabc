package io.ferry.proxy;

import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.http.Exchange;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Upstreams;

/** proxy_pass: each exchange gets its own {@link ProxyExchange} over the location's upstream group. */
final class ProxyHandler implements ContentPhaseHandler {
    private final Upstreams upstreams;
    private final Tunnels tunnels;

    ProxyHandler(Upstreams upstreams, Tunnels tunnels) {
        this.upstreams = upstreams;
        this.tunnels = tunnels;
    }

    @Override
    public boolean handle(Exchange exchange) {
        ProxySettings proxy = exchange.settings().module(ProxyModule.SETTINGS);
        if (proxy == null) {
            return false;
        }
        // read whole even when proxy_set_body replaces it: $request_body may be what goes instead
        if (proxy.requestBuffering()) {
            exchange.readBody(() -> new ProxyExchange(exchange, proxy, upstreams.group(proxy.upstream()), tunnels).start());
        } else {
            new ProxyExchange(exchange, proxy, upstreams.group(proxy.upstream()), tunnels).start();
        }
        return true;
    }
}
