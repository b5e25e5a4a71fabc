package io.ferry.module.gzip;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.MimeTypes;
import io.ferry.module.Module;
import io.ferry.module.Services;
import io.ferry.variable.Regex;
import io.ferry.variable.Variable;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * nginx's gzip filter and gzip_static modules: responses compressed on their way out, and ".gz"
 * files served in place of the originals.
 */
public final class GzipModule implements Module {
    static final Slot<GzipSettings> SETTINGS = new Slot<>();
    /** The request's compressor, kept for $gzip_ratio. */
    static final Slot<GzipEncoder> ENCODER = new Slot<>();
    /** gzip_static found a ".gz", or gunzip met a gzip body: the answer varies by Accept-Encoding whatever it is. */
    static final Slot<Boolean> VARY = new Slot<>();

    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);
    private static final Set<String> DEFAULT_TYPES = Set.of("text/html");

    @Override
    public String name() {
        return "http_gzip_module";
    }

    @Override
    public List<String> configureArguments() {
        return List.of("--with-http_gzip_static_module");
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("gzip", EnumSet.of(HTTP, SERVER, LOCATION, IF));
        rows.add("gzip_buffers", HSL, 2, 2, null, false);
        rows.add("gzip_types", HSL, 1, DirectiveRows.ANY, null, false);
        rows.one("gzip_comp_level", HSL);
        rows.one("gzip_min_length", HSL);
        rows.add("gzip_proxied", HSL, 1, DirectiveRows.ANY, null, false);
        rows.one("gzip_vary", HSL);
        rows.add("gzip_disable", HSL, 1, DirectiveRows.ANY, null, false);
        rows.one("gzip_http_version", HSL);
        rows.one("gzip_static", HSL);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Directive buffers = level.own("gzip_buffers");
        if (buffers != null) {
            Values.buffers(buffers);
        }
        return new GzipSettings(flag(level, "gzip"), MimeTypes.types(level, "gzip_types", DEFAULT_TYPES), compLevel(level), minLength(level),
                proxied(level), flag(level, "gzip_vary"), disable(level), msie6(level), http10(level), gzipStatic(level));
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of("gzip_ratio", scope -> {
            GzipEncoder encoder = scope.moduleContext(ENCODER);
            return encoder == null ? null : encoder.ratio();
        });
    }

    @Override
    public HeaderFilter headerFilter() {
        return GzipFilter::filter;
    }

    @Override
    public ContentPhaseHandler contentHandler(Services services) {
        return GzipStatic::handle;
    }

    /**
     * ngx_http_gzip_ok for another module's filter (gunzip): whether this client takes gzip. Asking
     * marks the response as varying by Accept-Encoding (nginx's r->gzip_vary), so gzip_vary adds
     * the header when this module's filter runs after the caller's.
     */
    public static boolean gzipOk(Exchange ex, HttpResponse response) {
        ex.moduleContext(VARY, Boolean.TRUE);
        return GzipFilter.acceptable(ex, SETTINGS.in(ex.settings().modules()), response);
    }

    private static boolean flag(Level level, String name) throws ConfException {
        Directive d = level.inherited(name);
        return d != null && Values.flag(d);
    }

    private static int compLevel(Level level) throws ConfException {
        Directive d = level.inherited("gzip_comp_level");
        if (d == null) {
            return 1;
        }
        String v = d.args().get(0);
        int n = v.equals("0") ? 0 : Values.positiveInt(d, v);
        if (n < 1 || n > 9) {
            throw Values.error(d, "value must be between 1 and 9");
        }
        return n;
    }

    private static long minLength(Level level) throws ConfException {
        Directive d = level.inherited("gzip_min_length");
        return d == null ? 20 : Values.size(d, d.args().get(0));
    }

    private static Set<GzipSettings.Proxied> proxied(Level level) throws ConfException {
        Directive d = level.inherited("gzip_proxied");
        if (d == null) {
            return EnumSet.of(GzipSettings.Proxied.OFF);
        }
        Set<GzipSettings.Proxied> out = EnumSet.noneOf(GzipSettings.Proxied.class);
        for (String arg : d.args()) {
            try {
                out.add(GzipSettings.Proxied.valueOf(arg.replace('-', '_').toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw Values.invalid(d, arg);
            }
        }
        return Set.copyOf(out);
    }

    private static List<Regex> disable(Level level) throws ConfException {
        List<Regex> out = new ArrayList<>();
        Directive d = level.inherited("gzip_disable");
        if (d != null) {
            for (String arg : d.args()) {
                if (arg.equals("msie6")) {
                    continue;
                }
                try {
                    out.add(Regex.compile(arg, true));
                } catch (PatternSyntaxException e) {
                    throw Values.error(d, "invalid regex \"" + arg + "\": " + e.getDescription());
                }
            }
        }
        return List.copyOf(out);
    }

    private static boolean msie6(Level level) {
        Directive d = level.inherited("gzip_disable");
        return d != null && d.args().contains("msie6");
    }

    private static boolean http10(Level level) throws ConfException {
        Directive d = level.inherited("gzip_http_version");
        if (d == null || d.args().get(0).equals("1.1")) {
            return false;
        }
        if (d.args().get(0).equals("1.0")) {
            return true;
        }
        throw Values.invalid(d, d.args().get(0));
    }

    private static GzipSettings.Static gzipStatic(Level level) throws ConfException {
        Directive d = level.inherited("gzip_static");
        if (d == null) {
            return GzipSettings.Static.OFF;
        }
        return switch (d.args().get(0)) {
            case "on" -> GzipSettings.Static.ON;
            case "off" -> GzipSettings.Static.OFF;
            case "always" -> GzipSettings.Static.ALWAYS;
            default -> throw Values.invalid(d, d.args().get(0));
        };
    }
}
