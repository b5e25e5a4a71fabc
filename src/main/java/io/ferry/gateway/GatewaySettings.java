package io.ferry.gateway;

import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamNames;
import io.ferry.upstream.UpstreamUser;
import io.ferry.variable.Template;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The PREFIX_* settings of a location with uwsgi_pass or scgi_pass, merged as nginx merges them:
 * {@code params} is the effective PREFIX_param list (the nearest level that writes any replaces the
 * inherited ones); {@code address} is the PREFIX_pass argument, for logs. {@code passRequestHeaders}
 * adds the request headers as HTTP_* variables, {@code passRequestBody} sends the body,
 * {@code requestBuffering} reads it whole before a peer is chosen, {@code socketKeepalive} sets
 * SO_KEEPALIVE on the connections to the application, {@code bind} (PREFIX_bind, null: off) is the
 * local address they are made from. A PREFIX_pass with variables has no
 * {@code upstream} but {@code addressVariables}, evaluated per request, and the {@code names} of the
 * groups it may name.
 */
public record GatewaySettings(
        Upstream upstream,
        String address,
        List<CgiRequest.Param> params,
        boolean passRequestHeaders,
        boolean passRequestBody,
        boolean requestBuffering,
        boolean socketKeepalive,
        Duration connectTimeout,
        Duration readTimeout,
        Duration sendTimeout,
        boolean interceptErrors,
        NextUpstream nextUpstream,
        BufferSettings buffering,
        Set<String> hiddenHeaders,
        Template bind,
        Template addressVariables,
        UpstreamNames names) implements UpstreamUser, CgiSettings {
}
