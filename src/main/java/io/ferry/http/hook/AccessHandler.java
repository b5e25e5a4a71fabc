package io.ferry.http.hook;

import io.ferry.http.Exchange;


/**
 * A module's access-phase check (allow/deny, auth_basic, auth_request). nginx's {@code satisfy}
 * combines them: with "all" every check must pass, with "any" one that allows is enough.
 */
@FunctionalInterface
public interface AccessHandler {
    /** No rule of this module applies to the request. */
    int DECLINED = -1;
    /** This module lets the request through. */
    int OK = 0;
    /**
     * The decision is not known yet (nginx's NGX_AGAIN): the access phase waits until the check
     * calls {@link Exchange#resumeAccess()}, then asks every check again, so this one must then
     * answer from what it kept in the request's module context.
     */
    int AGAIN = -2;

    /** {@link #OK}, {@link #DECLINED}, {@link #AGAIN}, or the status that refuses the request (403, 401). */
    int check(Exchange exchange);

    /**
     * nginx's "access forbidden by rule" line: written by the refusing check under "satisfy all", by
     * the access phase under "satisfy any" once no check let the request through.
     */
    static void logForbidden(Exchange ex) {
        ex.errorLog().error("*{} access forbidden by rule, client: {}, server: {}, request: \"{} {} {}\"",
                ex.connection(), ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol());
    }
}
