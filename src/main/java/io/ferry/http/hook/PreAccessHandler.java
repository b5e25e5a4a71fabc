package io.ferry.http.hook;

import io.ferry.http.Exchange;

/**
 * A module's pre-access hook (nginx's NGX_HTTP_PREACCESS_PHASE): run with the location's settings
 * after its rewrites, before the access checks; realip applies a location's own real_ip_header here.
 */
@FunctionalInterface
public interface PreAccessHandler {
    void preAccess(Exchange exchange);
}
