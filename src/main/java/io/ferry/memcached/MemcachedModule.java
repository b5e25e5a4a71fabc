package io.ferry.memcached;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.module.Services;
import io.ferry.variable.Template;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * nginx's ngx_http_memcached_module: memcached_pass (a content handler, never inherited) and the
 * memcached_* settings (inherited http → server → location).
 */
public final class MemcachedModule implements Module {
    /** A location's memcached_pass, null where it has none. */
    public static final Slot<MemcachedSettings> SETTINGS = new Slot<>();

    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> TIMES = List.of("memcached_connect_timeout", "memcached_read_timeout",
            "memcached_send_timeout", "memcached_next_upstream_timeout");
    private static final Set<Condition> CONDITIONS =
            EnumSet.of(Condition.ERROR, Condition.TIMEOUT, Condition.INVALID_RESPONSE, Condition.NOT_FOUND);

    @Override
    public String name() {
        return "http_memcached_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("memcached_pass", EnumSet.of(LOCATION, IF));
        for (String name : new String[] {"memcached_connect_timeout", "memcached_read_timeout", "memcached_send_timeout",
                "memcached_gzip_flag", "memcached_buffer_size", "memcached_next_upstream_tries",
                "memcached_next_upstream_timeout"}) {
            rows.one(name, HSL);
        }
        rows.add("memcached_next_upstream", HSL, 1, DirectiveRows.ANY, null, false);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    /** The memcached_pass of this level, or null. Values written at this level are checked either way. */
    @Override
    public Object settings(Level level) throws ConfException {
        for (String name : TIMES) {
            Directive d = level.own(name);
            if (d != null) {
                Values.time(d, d.args().get(0));
            }
        }
        Directive bufferSize = level.own("memcached_buffer_size");
        if (bufferSize != null) {
            Values.size(bufferSize, bufferSize.args().get(0));
        }
        Directive gzipD = level.inherited("memcached_gzip_flag");
        long gzipFlag = gzipD == null ? 0 : number(gzipD);
        NextUpstream next = level.nextUpstream("memcached", CONDITIONS);
        Directive pass = level.pass("memcached_pass");
        if (pass == null) {
            return null;
        }
        // nginx reads the key from $memcached_key (set or map); without one Ferry keys by $uri.
        boolean keyed = level.variableDefined("memcached_key");
        Template key = level.template(pass, keyed ? "$memcached_key" : "$uri");
        return new MemcachedSettings(level.upstream(pass, false), key, keyed,
                level.time("memcached_connect_timeout", DEFAULT_TIMEOUT), level.time("memcached_read_timeout", DEFAULT_TIMEOUT),
                level.time("memcached_send_timeout", DEFAULT_TIMEOUT), gzipFlag, next);
    }

    @Override
    public ContentPhaseHandler contentHandler(Services services) {
        return exchange -> {
            MemcachedSettings settings = exchange.settings().module(SETTINGS);
            if (settings == null) {
                return false;
            }
            new MemcachedExchange(exchange, settings, services.upstreams().group(settings.upstream())).start();
            return true;
        };
    }

    /** nginx's ngx_conf_set_num_slot: a non-negative number. */
    private static long number(Directive d) throws ConfException {
        String v = d.args().get(0);
        if (!v.isEmpty() && v.length() < 19 && v.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(v);
        }
        throw Values.error(d, "\"" + d.name() + "\" directive invalid number");
    }
}
