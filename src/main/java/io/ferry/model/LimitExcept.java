package io.ferry.model;

import java.util.Set;

/**
 * A location's limit_except block: requests whose method is not among {@code methods} are served
 * with {@code settings}, the block's own configuration on top of the location's (nginx switches the
 * request to that implicit location when it finds the location).
 */
public record LimitExcept(Set<String> methods, LocationSettings settings) {
    /** The methods limit_except accepts (nginx's list); GET also lets HEAD through. */
    public static final Set<String> KNOWN = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "MKCOL", "COPY", "MOVE",
            "OPTIONS", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "PATCH");

    public LimitExcept {
        methods = Set.copyOf(methods);
    }

    /** Whether a request with this method is subject to the block. */
    public boolean limits(String method) {
        return !methods.contains(method);
    }
}
