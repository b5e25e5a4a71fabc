package io.ferry.http.hook;

import io.ferry.http.Exchange;

/** A module's content handler, tried before static files; it declines by returning false without answering. */
@FunctionalInterface
public interface ContentPhaseHandler {
    boolean handle(Exchange exchange);
}
