package io.ferry.proxy;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.http.RedirectLocation;
import io.ferry.module.Level;
import io.ferry.variable.Captures;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Regex;
import io.ferry.variable.Template;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.PatternSyntaxException;

/**
 * One proxy_redirect rule, applied to the upstream's Location value and to a Refresh value after its
 * "url=": a text rule replaces the matching start, a regex rule (~ or ~* for caseless) replaces the
 * whole value once it matches anywhere, its captures serving $1..$9 in the replacement.
 */
sealed interface ProxyRedirect {
    /** The value with this rule applied from {@code from} on, or null when the rule does not match. */
    String apply(RequestScope scope, String value, int from);

    record Prefix(Template pattern, Template replacement) implements ProxyRedirect {
        @Override
        public String apply(RequestScope scope, String value, int from) {
            String p = pattern.render(scope);
            if (!value.startsWith(p, from)) {
                return null;
            }
            return value.substring(0, from) + replacement.render(scope) + value.substring(from + p.length());
        }
    }

    record Match(Regex regex, Template replacement) implements ProxyRedirect {
        @Override
        public String apply(RequestScope scope, String value, int from) {
            Captures m = regex.find(value.substring(from));
            if (m == null) {
                return null;
            }
            scope.captures(m);
            return value.substring(0, from) + replacement.render(scope);
        }
    }

    /**
     * Checks the lines written at this level as nginx does when it reads them: "off" stands alone,
     * "default" follows the level's proxy_pass, one argument is off or default.
     */
    static void check(Level level) throws ConfException {
        List<Directive> own = level.ownAll("proxy_redirect");
        boolean off = false;
        for (int i = 0; i < own.size(); i++) {
            Directive d = own.get(i);
            String first = d.args().get(0);
            if (off || (first.equals("off") && d.args().size() == 1 && i > 0)) {
                throw Values.error(d, "\"proxy_redirect\" directive is duplicate");
            }
            if (d.args().size() == 1) {
                off = first.equals("off");
                if (!off && !first.equals("default")) {
                    throw Values.error(d, "invalid parameter \"" + first + "\"");
                }
                Directive pass = level.own("proxy_pass");
                List<Directive> written = level.written();
                if (first.equals("default") && (pass == null || written.indexOf(pass) > written.indexOf(d))) {
                    throw Values.error(d, "\"proxy_redirect default\" should be placed after the \"proxy_pass\" directive");
                }
            } else {
                rule(level, d, null, null);
            }
        }
    }

    /**
     * The rules for a location with proxy_pass: the nearest level's lines (none after "off"), else
     * "default", nginx's rule from proxy_pass's URL and the location.
     */
    static List<ProxyRedirect> rules(Level level, Directive pass, ProxyTarget target) throws ConfException {
        List<Directive> lines = level.inheritedAll("proxy_redirect");
        if (lines.isEmpty()) {
            return target.url() == null ? List.of(defaultRule(pass, target)) : List.of();
        }
        List<ProxyRedirect> rules = new ArrayList<>();
        for (Directive d : lines) {
            if (d.args().size() == 1 && d.args().get(0).equals("off")) {
                return List.of();
            }
            rules.add(rule(level, d, pass, target));
        }
        return List.copyOf(rules);
    }

    private static ProxyRedirect rule(Level level, Directive d, Directive pass, ProxyTarget target) throws ConfException {
        String pattern = d.args().get(0);
        if (d.args().size() == 1) {
            if (target.url() != null) {
                throw Values.error(d, "\"proxy_redirect default\" cannot be used with \"proxy_pass\" directive with variables");
            }
            return defaultRule(pass, target);
        }
        Template replacement = level.template(d, d.args().get(1));
        if (!pattern.startsWith("~")) {
            return new Prefix(level.template(d, pattern), replacement);
        }
        boolean caseless = pattern.startsWith("~*");
        String re = pattern.substring(caseless ? 2 : 1);
        try {
            return new Match(Regex.compile(re, caseless), replacement);
        } catch (PatternSyntaxException e) {
            throw Values.error(d, "invalid regex \"" + re + "\": " + e.getDescription());
        }
    }

    /**
     * A URL with a URI part maps to the location's name; one without maps its root: "URL/" to "/".
     * An inherited "default" is read against the inheriting location's proxy_pass.
     */
    private static ProxyRedirect defaultRule(Directive pass, ProxyTarget target) {
        String url = pass.args().get(0);
        return target.uri() != null
                ? new Prefix(Template.literal(url), Template.literal(target.locationPrefix()))
                : new Prefix(Template.literal(url + "/"), Template.literal("/"));
    }

    /**
     * Rewrites Location and Refresh with the first matching rule; a rewritten Location that is a path
     * becomes absolute as nginx's header filter makes it ({@link RedirectLocation}), while one no rule
     * touched goes out as the upstream wrote it.
     */
    static void rewrite(Exchange scope, List<ProxyRedirect> rules, HttpHeaders headers) {
        if (rules.isEmpty()) {
            return;
        }
        String location = headers.get("Location");
        if (location != null) {
            String rewritten = first(scope, rules, location, 0);
            if (rewritten != null) {
                headers.set("Location", RedirectLocation.of(scope, rewritten));
            }
        }
        String refresh = headers.get("Refresh");
        if (refresh != null) {
            int url = refresh.toLowerCase(Locale.ROOT).indexOf("url=");
            String rewritten = url < 0 ? null : first(scope, rules, refresh, url + 4);
            if (rewritten != null) {
                headers.set("Refresh", rewritten);
            }
        }
    }

    private static String first(RequestScope scope, List<ProxyRedirect> rules, String value, int from) {
        for (ProxyRedirect rule : rules) {
            String rewritten = rule.apply(scope, value, from);
            if (rewritten != null) {
                return rewritten;
            }
        }
        return null;
    }
}
