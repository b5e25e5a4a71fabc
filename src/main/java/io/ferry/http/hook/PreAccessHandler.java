package io.ferry.http.hook;

import io.ferry.http.Exchange;

/**
 * A module's pre-access hook (nginx's NGX_HTTP_PREACCESS_PHASE): run with the location's settings
 * after its rewrites, before the access checks; realip applies a location's own real_ip_header here,
 * limit_req and limit_conn refuse or delay the request.
 */
@FunctionalInterface
public interface PreAccessHandler {
    /**
     * {@link AccessHandler#DECLINED} to go on; {@link AccessHandler#AGAIN} to wait until the hook
     * calls {@link Exchange#resumePreAccess()} (every hook is then asked again, so this one must answer
     * from what it kept in the request's module context); or the status that refuses the request.
     */
    int preAccess(Exchange exchange);
}
