package io.ferry.proxy;

import io.ferry.cache.HttpCache;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.http.Exchange;
import io.ferry.resolver.RuntimeUpstream;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Upstreams;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * proxy_pass: each exchange gets its own {@link ProxyExchange} over the location's upstream group,
 * or, where the URL has variables, over the group its evaluated host names.
 */
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
        HttpCache.answer(exchange, HttpCache.Protocol.PROXY, () -> {
            // read whole even when proxy_set_body replaces it: $request_body may be what goes instead
            if (proxy.requestBuffering()) {
                exchange.readBody(() -> start(exchange, proxy));
            } else {
                start(exchange, proxy);
            }
        });
        return true;
    }

    private void start(Exchange exchange, ProxySettings proxy) {
        ProxyTarget target = proxy.target();
        if (target.url() == null) {
            new ProxyExchange(exchange, proxy, target, upstreams.group(target.upstream()), tunnels).start();
            return;
        }
        StringBuilder error = new StringBuilder();
        ProxyTarget.Evaluated url = ProxyTarget.evaluate(target.url().render(exchange), error);
        if (url == null) {
            RuntimeUpstream.log(exchange, error.toString());
            exchange.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !exchange.requestComplete());
            return;
        }
        exchange.moduleContext(ProxyModule.EVALUATED, url.target());
        RuntimeUpstream.find(exchange, upstreams, target.names(), url.address(), group -> {
            ProxyExchange up = new ProxyExchange(exchange, proxy, url.target(), group, tunnels);
            up.start();
            return proxy.sendsClientBody() ? up : null;
        });
    }
}
