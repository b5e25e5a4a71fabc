package io.ferry.http.hook;

import io.ferry.http.Exchange;

/** Told about every exchange once it is over (for access logs and metrics); a WebSocket when its tunnel closes. */
public interface ExchangeListener {
    void completed(Exchange exchange);

    /** A subrequest ended (its parent goes on). */
    default void subrequestCompleted(Exchange subrequest) {
    }
}
