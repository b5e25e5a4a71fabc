package io.ferry.proxy;

import io.ferry.gateway.BufferSettings;
import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamUser;
import io.ferry.variable.Template;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * proxy_* settings of a location. {@code headers} is the effective proxy_set_header list (nginx
 * inheritance: the nearest level that sets any replaces the inherited ones); {@code websocketAuto}
 * (Ferry's proxy_websocket) forwards upgrade requests even without the Upgrade/Connection lines;
 * {@code hiddenHeaders} are the lower-case response headers not passed to the client
 * (nginx's defaults plus proxy_hide_header, minus proxy_pass_header); {@code bufferSize}
 * (proxy_buffer_size) bounds the upstream's response header block. {@code method} (proxy_method) is
 * null to keep the client's; {@code body} (proxy_set_body) is null to pass the client's body when
 * {@code passRequestBody}; {@code redirects} (proxy_redirect) is empty when off; {@code buffering}
 * is proxy_buffering and its family. {@code requestBuffering}
 * (proxy_request_buffering) reads the client's body whole before a peer is chosen.
 * {@code ssl} is the proxy_ssl_* family, used towards an https upstream. {@code cookies} (proxy_cookie_domain, proxy_cookie_path, proxy_cookie_flags)
 * rewrites the upstream's Set-Cookie lines; {@code limitRate} (proxy_limit_rate) caps the bytes a
 * second read from the upstream while the response is buffered, 0 for none.
 */
public record ProxySettings(
        ProxyTarget target,
        String httpVersion,
        List<HeaderSetting> headers,
        Duration connectTimeout,
        Duration readTimeout,
        Duration sendTimeout,
        NextUpstream nextUpstream,
        boolean websocketAuto,
        Set<String> hiddenHeaders,
        boolean interceptErrors,
        int bufferSize,
        Template method,
        boolean passRequestHeaders,
        boolean passRequestBody,
        Template body,
        List<ProxyRedirect> redirects,
        BufferSettings buffering,
        boolean requestBuffering,
        ProxySsl ssl,
        ProxyCookies cookies,
        long limitRate) implements UpstreamUser {

    /** Whether the client's body goes upstream: the upstream request then ends with it, not with proxy_set_body. */
    boolean sendsClientBody() {
        return passRequestBody && body == null;
    }

    @Override
    public Upstream upstream() {
        return target.upstream();
    }
}
