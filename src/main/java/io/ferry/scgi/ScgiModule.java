package io.ferry.scgi;

import io.ferry.cache.HttpCache;
import io.ferry.conf.ConfException;
import io.ferry.gateway.GatewayModule;
import io.ferry.gateway.GatewaySettings;
import io.ferry.gateway.UpstreamExchange;
import io.ferry.http.Exchange;
import io.ferry.model.Slot;
import io.ferry.module.Level;
import io.ferry.upstream.UpstreamGroup;

/** nginx's scgi module: scgi_pass (an address, a group, or variables) with scgi_param and the gateway family. */
public final class ScgiModule extends GatewayModule<GatewaySettings> {
    public static final Slot<GatewaySettings> SETTINGS = new Slot<>();

    public ScgiModule() {
        super(HttpCache.Protocol.SCGI, SETTINGS);
    }

    @Override
    public String name() {
        return "http_scgi_module";
    }

    @Override
    protected GatewaySettings settings(Level level, GatewaySettings gateway) throws ConfException {
        return gateway;
    }

    @Override
    protected GatewaySettings gateway(GatewaySettings settings) {
        return settings;
    }

    @Override
    protected UpstreamExchange exchange(Exchange ex, GatewaySettings settings, UpstreamGroup group) {
        return new ScgiExchange(ex, settings, group);
    }
}
