package io.ferry.module.limitrate;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.net.Pacer;
import io.netty.channel.ChannelPipeline;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Template;
import io.ferry.variable.Variable;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * limit_rate and limit_rate_after (nginx's core directives, applied in its write filter) and
 * $limit_rate. A response's rate is, by precedence, an upstream's X-Accel-Limit-Rate, what
 * {@code set $limit_rate} assigned, or limit_rate of the location that answers (its variables
 * evaluated then, as nginx 1.17+); the client connection's {@link Pacer} enforces it.
 */
public final class LimitRateModule implements Module {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    static final Slot<Settings> SETTINGS = new Slot<>();
    private static final Slot<State> STATE = new Slot<>();
    /** nginx's ngx_parse_size. */
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})([kKmMgG]?)");

    /** Null when the directive is not written at this level or above. */
    record Settings(Template rate, Template after) {
    }

    /** A request's rate: one assigned (set, X-Accel-Limit-Rate), or the one its response went out with. */
    private static final class State {
        long rate;
        boolean assigned;
    }

    @Override
    public String name() {
        return "http_core_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("limit_rate", EnumSet.of(HTTP, SERVER, LOCATION, IF), 1, 1, null, false);
        rows.add("limit_rate_after", EnumSet.of(HTTP, SERVER, LOCATION, IF), 1, 1, null, false);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        return new Settings(size(level, level.inherited("limit_rate")), size(level, level.inherited("limit_rate_after")));
    }

    /** nginx's complex value of a size: a constant must be a size now, a value with variables is checked per request. */
    private static Template size(Level level, Directive d) throws ConfException {
        if (d == null) {
            return null;
        }
        Template t = level.template(d, d.args().get(0));
        if (t.isConstant()) {
            Values.size(d, t.text());
        }
        return t;
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of("limit_rate", s -> {
            State st = s.moduleContext(STATE);
            return Long.toString(st == null ? 0 : st.rate);
        });
    }

    @Override
    public Map<String, BiConsumer<RequestScope, String>> variableSetters() {
        return Map.of("limit_rate", (s, value) -> {
            long rate = parse(value);
            if (rate < 0) {
                LOG.error("invalid $limit_rate \"{}\"", value);
                return;
            }
            assign(s, rate);
        });
    }

    private static void assign(RequestScope s, long rate) {
        State st = s.moduleContext(STATE);
        if (st == null) {
            st = new State();
            s.moduleContext(STATE, st);
        }
        st.rate = rate;
        st.assigned = true;
    }

    /** A size as nginx parses one at run time, or -1. */
    static long parse(String value) {
        Matcher m = value == null ? null : SIZE.matcher(value);
        if (m == null || !m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).isEmpty() ? n : n << switch (Character.toLowerCase(m.group(2).charAt(0))) {
            case 'k' -> 10;
            case 'm' -> 20;
            default -> 30;
        };
    }

    @Override
    public HeaderFilter headerFilter() {
        return LimitRateModule::start;
    }

    /**
     * An upstream's X-Accel-Limit-Rate (bytes per second), which the proxy and FastCGI modules hand over
     * unless their *_ignore_headers name it; it takes precedence over limit_rate, as in nginx.
     */
    public static void fromUpstream(Exchange ex, String value) {
        if (value != null && value.matches("[0-9]{1,15}")) {
            assign(ex, Long.parseLong(value));
        }
    }

    /** The response's head is next: its rate goes down the pipeline ahead of it, for the pacer. */
    private static void start(Exchange ex, io.netty.handler.codec.http.HttpResponse response) {
        if (ex.isSubrequest()) {
            return;
        }
        State st = ex.moduleContext(STATE);
        Settings s = ex.settings().module(SETTINGS);
        long rate;
        if (st != null && st.assigned) {
            rate = st.rate;
        } else {
            rate = render(ex, s.rate());
            // $limit_rate reads 0 without a state: most responses, which have no rate, keep none
            if (st == null && rate != 0) {
                st = new State();
                ex.moduleContext(STATE, st);
            }
            if (st != null) {
                st.rate = rate;
            }
        }
        if (response.status().code() == 101) {
            rate = 0;
        }
        // the pacer joins a connection's pipeline with its first rate: connections that never have one
        // (most, and every idle WebSocket) carry neither it nor a Rate message per response
        ChannelPipeline pipeline = ex.context().pipeline();
        if (pipeline.get(Pacer.class) == null) {
            if (rate == 0) {
                return;
            }
            pipeline.addBefore("http", "pacer", new Pacer());
        }
        long after = rate == 0 ? 0 : render(ex, s.after());
        ex.write(new Pacer.Rate(rate, after, System.nanoTime() - ex.durationNanos()));
    }

    private static long render(Exchange ex, Template t) {
        if (t == null) {
            return 0;
        }
        String value = t.render(ex);
        long n = parse(value);
        if (n < 0 && !value.isEmpty()) {
            LOG.error("*{} invalid size \"{}\"", ex.connection(), value);
        }
        return Math.max(n, 0);
    }
}
