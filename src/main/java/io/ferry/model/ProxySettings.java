package io.ferry.model;

import java.time.Duration;
import java.util.List;

/**
 * proxy_* settings of a location. {@code headers} is the effective proxy_set_header list (nginx
 * inheritance: the nearest level that sets any replaces the inherited ones); {@code websocketAuto}
 * (Ferry's proxy_websocket) forwards upgrade requests even without the Upgrade/Connection lines;
 * {@code hiddenHeaders} are the lower-case response headers not passed to the client
 * (nginx's defaults plus proxy_hide_header, minus proxy_pass_header).
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
        java.util.Set<String> hiddenHeaders,
        boolean interceptErrors) {
}
