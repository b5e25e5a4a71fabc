package io.ferry.module.referer;

import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.model.ServerName;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Regex;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Variable;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.PatternSyntaxException;

/**
 * nginx's ngx_http_referer_module: valid_referers, referer_hash_max_size,
 * referer_hash_bucket_size and $invalid_referer ("" for a valid Referer, "1" otherwise).
 */
public final class RefererModule implements Module {
    static final Slot<ValidReferers> SETTINGS = new Slot<>();
    /** A value `set $invalid_referer` gave, which reads return from then on, as nginx's changeable variable. */
    private static final Slot<String> ASSIGNED = new Slot<>();

    @Override
    public String name() {
        return "http_referer_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("valid_referers", EnumSet.of(SERVER, LOCATION), 1, DirectiveRows.ANY, null, true);
        rows.one("referer_hash_max_size", EnumSet.of(SERVER, LOCATION));
        rows.one("referer_hash_bucket_size", EnumSet.of(SERVER, LOCATION));
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    /**
     * The valid_referers lines of the nearest level that writes any; server_names stands for the
     * server's names as they are once the whole server block is read, as nginx resolves it on merge.
     */
    @Override
    public Object settings(Level level) throws ConfException {
        // Java's maps size themselves; the numbers are checked as nginx's number slots
        for (String hash : List.of("referer_hash_max_size", "referer_hash_bucket_size")) {
            Directive d = level.own(hash);
            if (d != null) {
                Values.positiveInt(d, d.args().get(0));
            }
        }
        List<Directive> lines = level.inheritedAll("valid_referers");
        if (lines.isEmpty()) {
            return null;
        }
        ValidReferers.Builder b = new ValidReferers.Builder();
        boolean serverNames = false;
        for (Directive d : lines) {
            for (String arg : d.args()) {
                try {
                    serverNames |= entry(b, d, arg);
                } catch (IllegalArgumentException e) {
                    throw Values.error(d, e.getMessage());
                }
            }
        }
        Directive first = lines.get(0);
        if (serverNames) {
            serverNames(level, b, first);
        }
        if (b.noneOrBlocked() && !b.hasHosts()) {
            throw Values.error(first, "the \"none\" or \"blocked\" referers are specified in the \"valid_referers\" "
                    + "directive without any valid referer");
        }
        return b.build();
    }

    /** One argument of valid_referers; true for server_names, which is resolved once all are read. */
    private static boolean entry(ValidReferers.Builder b, Directive d, String arg) throws ConfException {
        switch (arg) {
            case "" -> throw Values.error(d, "invalid referer \"\"");
            case "none" -> b.none();
            case "blocked" -> b.blocked();
            case "server_names" -> {
                return true;
            }
            default -> {
                if (arg.charAt(0) != '~') {
                    b.host(arg);
                } else if (arg.length() == 1) {
                    throw Values.error(d, "empty regex in \"" + arg + "\"");
                } else {
                    try {
                        b.regex(Regex.compile(arg.substring(1), true).pattern());
                    } catch (PatternSyntaxException e) {
                        throw Values.error(d, "invalid regex \"" + arg.substring(1) + "\": " + e.getDescription());
                    }
                }
            }
        }
        return false;
    }

    /** The server's names, "" when it writes none (nginx's default server_name). */
    private static void serverNames(Level level, ValidReferers.Builder b, Directive where) throws ConfException {
        List<Directive> lines = level.inheritedAll("server_name");
        if (lines.isEmpty()) {
            b.host("");
            return;
        }
        for (Directive d : lines) {
            for (String name : d.args()) {
                try {
                    ServerName sn = ServerName.parse(name);
                    if (sn.kind() == ServerName.Kind.REGEX) {
                        b.serverNameRegex(sn.regex().pattern());
                    } else {
                        b.host(name);
                    }
                } catch (PatternSyntaxException e) {
                    throw Values.error(d, "invalid regex \"" + name + "\": " + e.getDescription());
                } catch (IllegalArgumentException e) {
                    throw Values.error(where, e.getMessage());
                }
            }
        }
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of("invalid_referer", RefererModule::invalidReferer);
    }

    @Override
    public Map<String, BiConsumer<RequestScope, String>> variableSetters() {
        return Map.of("invalid_referer", (s, value) -> s.moduleContext(ASSIGNED, value));
    }

    private static String invalidReferer(RequestScope s) {
        String assigned = s.moduleContext(ASSIGNED);
        if (assigned != null) {
            return assigned;
        }
        ValidReferers valid = s.moduleSettings(SETTINGS);
        if (valid == null) {
            return "";
        }
        // the first Referer line, as nginx keeps it, not the lines joined
        String referer = s instanceof Exchange ex
                ? ex.request().headers().get(HttpHeaderNames.REFERER)
                : s.requestHeader("referer");
        return valid.valid(referer) ? "" : "1";
    }
}
