package io.ferry.http;

/** A module's content handler, tried before static files; it declines by returning false without answering. */
@FunctionalInterface
public interface ContentPhaseHandler {
    boolean handle(Exchange exchange);
}
