package io.ferry.http.hook;

import io.ferry.http.Exchange;

/**
 * Produces the response of one exchange (proxy, files, ...). It must end the exchange with
 * {@link Exchange#complete(boolean)} or {@link Exchange#abort()} exactly once.
 */
public interface ContentHandler {
    void handle(Exchange exchange);
}
