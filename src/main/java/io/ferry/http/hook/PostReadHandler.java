package io.ferry.http.hook;

import io.ferry.http.Exchange;

/**
 * A module's post-read hook (nginx's NGX_HTTP_POST_READ_PHASE): run once per request, after the
 * request head was accepted and its server chosen, before any rewrite; realip names the client here.
 */
@FunctionalInterface
public interface PostReadHandler {
    void postRead(Exchange exchange);
}
