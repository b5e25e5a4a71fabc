package io.ferry.http.hook;

import io.ferry.http.Exchange;

/**
 * A module's rewrite-phase handler (nginx's NGX_HTTP_SERVER_REWRITE_PHASE and NGX_HTTP_REWRITE_PHASE):
 * run with the server's settings before the location search, then with the chosen location's.
 */
@FunctionalInterface
public interface RewriteHandler {
    /** What the request does next: go on, search the location again, stop rewriting, or nothing (answered). */
    enum Outcome { CONTINUE, LAST, BREAK, RESPONDED }

    Outcome rewrite(Exchange exchange);
}
