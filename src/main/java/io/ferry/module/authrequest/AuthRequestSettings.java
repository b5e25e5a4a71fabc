package io.ferry.module.authrequest;

import io.ferry.variable.Template;
import java.util.List;

/**
 * auth_request and auth_request_set at one level: the URI of the subrequest (null for off), and
 * the variables set from it once it answered, in the order written.
 */
record AuthRequestSettings(String uri, List<Assignment> assignments) {
    static final AuthRequestSettings OFF = new AuthRequestSettings(null, List.of());

    /** auth_request_set $name value: value is rendered against the subrequest, name set on the request. */
    record Assignment(String name, Template value) {
    }
}
