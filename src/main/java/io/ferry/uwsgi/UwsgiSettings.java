package io.ferry.uwsgi;

import io.ferry.gateway.GatewaySettings;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamUser;

/** uwsgi_* settings of a location with uwsgi_pass: the shared gateway ones and the packet's two modifiers. */
public record UwsgiSettings(GatewaySettings gateway, int modifier1, int modifier2) implements UpstreamUser {
    @Override
    public Upstream upstream() {
        return gateway.upstream();
    }
}
