package io.ferry.proxy;

import io.ferry.http.ContentHandler;
import io.ferry.http.Exchange;

/** proxy_pass: each exchange gets its own {@link ProxyExchange} and upstream connection. */
public final class ProxyHandler implements ContentHandler {
    public static final ProxyHandler INSTANCE = new ProxyHandler();

    @Override
    public void handle(Exchange exchange) {
        new ProxyExchange(exchange, exchange.settings().proxy()).start();
    }
}
