package io.ferry.http;

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

    /** {@link #OK}, {@link #DECLINED}, or the status that refuses the request (403, 401). */
    int check(Exchange exchange);
}
