package io.ferry.http.hook;

import io.ferry.http.Exchange;

import io.netty.handler.codec.http.HttpResponse;

/**
 * A response header filter (nginx's header filter chain): sees every response head before it is
 * written, whatever produced it, and may change it or put a {@link BodyFilter} on the body.
 */
@FunctionalInterface
public interface HeaderFilter {
    void filter(Exchange exchange, HttpResponse response);
}
