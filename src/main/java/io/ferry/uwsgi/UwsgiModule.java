package io.ferry.uwsgi;

import io.ferry.cache.HttpCache;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.gateway.GatewayModule;
import io.ferry.gateway.GatewaySettings;
import io.ferry.gateway.UpstreamExchange;
import io.ferry.http.Exchange;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.upstream.UpstreamGroup;
import java.util.Locale;

/**
 * nginx's uwsgi module: uwsgi_pass ([uwsgi://]address, a group, or variables) with uwsgi_param,
 * uwsgi_modifier1/uwsgi_modifier2 and the gateway family (timeouts, next_upstream, buffering, ...).
 */
public final class UwsgiModule extends GatewayModule<UwsgiSettings> {
    public static final Slot<UwsgiSettings> SETTINGS = new Slot<>();
    private static final String SCHEME = "uwsgi://";

    public UwsgiModule() {
        super(HttpCache.Protocol.UWSGI, SETTINGS);
    }

    @Override
    public String name() {
        return "http_uwsgi_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        super.directives(rows);
        rows.one("uwsgi_modifier1", HSL);
        rows.one("uwsgi_modifier2", HSL);
    }

    @Override
    protected String address(String written) {
        return written.toLowerCase(Locale.ROOT).startsWith(SCHEME) ? written.substring(SCHEME.length()) : written;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        modifier(level.own("uwsgi_modifier1"));
        modifier(level.own("uwsgi_modifier2"));
        return super.settings(level);
    }

    @Override
    protected UwsgiSettings settings(Level level, GatewaySettings gateway) throws ConfException {
        return new UwsgiSettings(gateway, modifier(level.inherited("uwsgi_modifier1")),
                modifier(level.inherited("uwsgi_modifier2")));
    }

    @Override
    protected GatewaySettings gateway(UwsgiSettings settings) {
        return settings.gateway();
    }

    @Override
    protected UpstreamExchange exchange(Exchange ex, UwsgiSettings settings, UpstreamGroup group) {
        return new UwsgiExchange(ex, settings, group);
    }

    /** A modifier is one byte of the packet header: 0 to 255, 0 when not written. */
    private static int modifier(Directive d) throws ConfException {
        if (d == null) {
            return 0;
        }
        String v = d.args().get(0);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw Values.invalid(d, v);
        }
        if (n < 0 || n > 255) {
            throw Values.invalid(d, v);
        }
        return n;
    }
}
