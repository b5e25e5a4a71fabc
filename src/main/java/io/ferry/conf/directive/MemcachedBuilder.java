package io.ferry.conf.directive;

import io.ferry.module.DirectiveRows;
import io.ferry.conf.Values;
import io.ferry.conf.Context;
import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.MemcachedSettings;
import io.ferry.model.MemcachedSettings.Retry;
import io.ferry.model.Upstream;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * nginx's ngx_http_memcached_module: memcached_pass (a content handler, never inherited) and the
 * memcached_* settings (inherited http → server → location).
 */
final class MemcachedBuilder {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> TIMES = List.of("memcached_connect_timeout", "memcached_read_timeout",
            "memcached_send_timeout", "memcached_next_upstream_timeout");

    private MemcachedBuilder() {
    }

    static void rows(DirectiveRows t) {
        Set<Context> hsl = EnumSet.of(HTTP, SERVER, LOCATION);
        t.add("memcached_pass", EnumSet.of(LOCATION, Context.IF), 1, 1, null, false);
        for (String name : new String[] {"memcached_connect_timeout", "memcached_read_timeout", "memcached_send_timeout",
                "memcached_gzip_flag", "memcached_buffer_size", "memcached_next_upstream_tries",
                "memcached_next_upstream_timeout"}) {
            t.add(name, hsl, 1, 1, null, false);
        }
        t.add("memcached_next_upstream", hsl, 1, DirectiveRows.ANY, null, false);
    }

    /** The memcached_pass of this level, or null. Values written at this level are checked either way. */
    static MemcachedSettings settings(Scope s, Map<String, Upstream> upstreams, Variables variables) throws ConfException {
        for (String name : TIMES) {
            if (s.own(name) != null) {
                Values.time(s.own(name), s.own(name).args().get(0));
            }
        }
        if (s.own("memcached_buffer_size") != null) {
            Values.size(s.own("memcached_buffer_size"), s.own("memcached_buffer_size").args().get(0));
        }
        Directive pass = s.own("memcached_pass");
        Directive gzipD = s.inherited("memcached_gzip_flag");
        long gzipFlag = gzipD == null ? 0 : number(gzipD);
        Set<Retry> retry = retry(s.inherited("memcached_next_upstream"));
        Directive triesD = s.inherited("memcached_next_upstream_tries");
        int tries = triesD == null || triesD.args().get(0).equals("0") ? 0 : Values.positiveInt(triesD, triesD.args().get(0));
        if (pass == null) {
            return null;
        }
        // nginx reads the key from $memcached_key (set or map); without one Ferry keys by $uri.
        boolean keyed = variables.isDefined("memcached_key");
        Template key = ConfigBuilder.template(pass, keyed ? "$memcached_key" : "$uri", variables);
        return new MemcachedSettings(UpstreamBuilder.target(pass, upstreams), key, keyed, time(s, "memcached_connect_timeout"),
                time(s, "memcached_read_timeout"), time(s, "memcached_send_timeout"), gzipFlag, retry, tries,
                s.inherited("memcached_next_upstream_timeout") == null ? Duration.ZERO : time(s, "memcached_next_upstream_timeout"));
    }


    private static Set<Retry> retry(Directive d) throws ConfException {
        if (d == null) {
            return Set.of(Retry.ERROR, Retry.TIMEOUT);
        }
        return Set.copyOf(Values.keywords(d, Retry.class, EnumSet.allOf(Retry.class)));
    }

    private static Duration time(Scope s, String name) throws ConfException {
        Directive d = s.inherited(name);
        return d == null ? DEFAULT_TIMEOUT : Values.time(d, d.args().get(0));
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
