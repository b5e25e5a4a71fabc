package io.ferry.proxy;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.Level;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Regex;
import io.ferry.variable.Template;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.regex.PatternSyntaxException;

/**
 * proxy_cookie_domain, proxy_cookie_path and proxy_cookie_flags, applied to each Set-Cookie line
 * of the upstream as nginx's ngx_http_proxy_rewrite_cookie does: the line is cut into its
 * name=value pair and attributes, the first matching rule of each list rewrites a Domain or Path
 * value, the first flags rule whose cookie name matches sets or removes Secure, HttpOnly and
 * SameSite; a line nothing changed goes out as written, a changed one is joined again with "; ".
 * An empty list is "off" (or nothing written).
 */
record ProxyCookies(List<Rule> domains, List<Rule> paths, List<Flags> flags) {
    static final ProxyCookies NONE = new ProxyCookies(List.of(), List.of(), List.of());

    private static final int SECURE_ON = 1;
    private static final int SECURE_OFF = 2;
    private static final int HTTPONLY_ON = 4;
    private static final int HTTPONLY_OFF = 8;
    private static final int SAMESITE_STRICT = 16;
    private static final int SAMESITE_LAX = 32;
    private static final int SAMESITE_NONE = 64;
    private static final int SAMESITE_OFF = 128;
    private static final List<String> FLAG_NAMES = List.of("secure", "nosecure", "httponly", "nohttponly",
            "samesite=strict", "samesite=lax", "samesite=none", "nosamesite");

    /** One domain or path rule: the attribute's value rewritten, or null when the rule does not match. */
    interface Rule {
        String apply(RequestScope scope, String value);
    }

    /** A proxy_cookie_flags line: the cookie named by {@code name} or matching {@code regex} gets {@code flags}. */
    record Flags(Regex regex, Template name, List<Template> flags) {
        boolean matches(RequestScope scope, String cookie) {
            if (regex != null) {
                var m = regex.find(cookie);
                if (m != null) {
                    scope.captures(m);
                }
                return m != null;
            }
            return name.render(scope).equalsIgnoreCase(cookie);
        }
    }

    /** A cookie attribute; {@code key} null once removed, {@code value} null when written without "=". */
    private static final class Attr {
        String key;
        String value;

        Attr(String key, String value) {
            this.key = key;
            this.value = value;
        }
    }

    boolean isEmpty() {
        return domains.isEmpty() && paths.isEmpty() && flags.isEmpty();
    }

    /** The nearest level's lines of each directive, as nginx merges them; checked at every level. */
    static ProxyCookies of(Level level) throws ConfException {
        for (String name : List.of("proxy_cookie_domain", "proxy_cookie_path", "proxy_cookie_flags")) {
            check(level.ownAll(name));
        }
        List<Rule> domains = new ArrayList<>();
        for (Directive d : lines(level, "proxy_cookie_domain")) {
            domains.add(domain(level, d));
        }
        List<Rule> paths = new ArrayList<>();
        for (Directive d : lines(level, "proxy_cookie_path")) {
            paths.add(path(level, d));
        }
        List<Flags> flags = new ArrayList<>();
        for (Directive d : lines(level, "proxy_cookie_flags")) {
            flags.add(flags(level, d));
        }
        return new ProxyCookies(List.copyOf(domains), List.copyOf(paths), List.copyOf(flags));
    }

    /** "off" stands alone at its level; a single argument is only "off". */
    private static void check(List<Directive> own) throws ConfException {
        for (int i = 0; i < own.size(); i++) {
            Directive d = own.get(i);
            boolean off = d.args().size() == 1 && d.args().get(0).equals("off");
            boolean offBefore = i > 0 && own.get(0).args().size() == 1 && own.get(0).args().get(0).equals("off");
            if ((off && i > 0) || offBefore) {
                throw Values.error(d, "\"" + d.name() + "\" directive is duplicate");
            }
            if (d.args().size() == 1 && !off) {
                throw Values.error(d, "invalid parameter \"" + d.args().get(0) + "\"");
            }
        }
    }

    private static List<Directive> lines(Level level, String name) {
        List<Directive> lines = level.inheritedAll(name);
        return lines.size() == 1 && lines.get(0).args().size() == 1 && lines.get(0).args().get(0).equals("off")
                ? List.of() : lines;
    }

    /** Text rules ignore a leading dot on both sides and compare caselessly; a regex (~) is always caseless. */
    private static Rule domain(Level level, Directive d) throws ConfException {
        String pattern = d.args().get(0);
        String replacement = d.args().get(1);
        if (pattern.startsWith("~")) {
            return regex(level, d, pattern.substring(1), true, replacement);
        }
        Template from = level.template(d, stripDot(pattern));
        Template to = level.template(d, stripDot(replacement));
        return (scope, value) -> {
            int start = value.startsWith(".") ? 1 : 0;
            if (!value.substring(start).equalsIgnoreCase(from.render(scope))) {
                return null;
            }
            return value.substring(0, start) + to.render(scope);
        };
    }

    private static String stripDot(String s) {
        return s.startsWith(".") ? s.substring(1) : s;
    }

    /** A text rule replaces a matching start, case-sensitively; ~ and ~* are regexes. */
    private static Rule path(Level level, Directive d) throws ConfException {
        String pattern = d.args().get(0);
        String replacement = d.args().get(1);
        if (pattern.startsWith("~*")) {
            return regex(level, d, pattern.substring(2), true, replacement);
        }
        if (pattern.startsWith("~")) {
            return regex(level, d, pattern.substring(1), false, replacement);
        }
        ProxyRedirect.Prefix prefix = new ProxyRedirect.Prefix(level.template(d, pattern), level.template(d, replacement));
        return (scope, value) -> prefix.apply(scope, value, 0);
    }

    /** A match anywhere replaces the whole value, its captures serving $1..$9, as proxy_redirect's regexes. */
    private static Rule regex(Level level, Directive d, String re, boolean caseless, String replacement)
            throws ConfException {
        ProxyRedirect.Match match = new ProxyRedirect.Match(compile(d, re, caseless), level.template(d, replacement));
        return (scope, value) -> match.apply(scope, value, 0);
    }

    private static Regex compile(Directive d, String re, boolean caseless) throws ConfException {
        try {
            return Regex.compile(re, caseless);
        } catch (PatternSyntaxException e) {
            throw Values.error(d, "invalid regex \"" + re + "\": " + e.getDescription());
        }
    }

    /** Flags may be variables: a value that is no flag is skipped when the cookie is rewritten, as nginx. */
    private static Flags flags(Level level, Directive d) throws ConfException {
        String cookie = d.args().get(0);
        List<Template> flags = new ArrayList<>();
        for (String f : d.args().subList(1, d.args().size())) {
            flags.add(level.template(d, f));
        }
        return cookie.startsWith("~")
                ? new Flags(compile(d, cookie.substring(1), true), null, List.copyOf(flags))
                : new Flags(null, level.template(d, cookie), List.copyOf(flags));
    }

    /** Rewrites every Set-Cookie line of the response head. */
    void rewrite(RequestScope scope, HttpHeaders headers) {
        if (isEmpty() || !headers.contains("Set-Cookie")) {
            return;
        }
        List<String> lines = new ArrayList<>(headers.getAll("Set-Cookie"));
        boolean changed = false;
        for (ListIterator<String> it = lines.listIterator(); it.hasNext();) {
            String rewritten = rewrite(scope, it.next());
            if (rewritten != null) {
                it.set(rewritten);
                changed = true;
            }
        }
        if (changed) {
            headers.set("Set-Cookie", lines);
        }
    }

    /** The line rewritten, or null when no rule changed it. */
    String rewrite(RequestScope scope, String line) {
        List<Attr> attrs = parse(line);
        if (attrs.get(0).value == null) {
            return null;
        }
        boolean changed = false;
        for (Attr a : attrs.subList(1, attrs.size())) {
            if (a.value != null && a.key.equalsIgnoreCase("domain")) {
                changed |= rewriteValue(scope, a, domains);
            }
            if (a.value != null && a.key.equalsIgnoreCase("path")) {
                changed |= rewriteValue(scope, a, paths);
            }
        }
        changed |= applyFlags(scope, attrs);
        if (!changed) {
            return null;
        }
        StringBuilder out = new StringBuilder(line.length() + 32);
        for (int i = 0; i < attrs.size(); i++) {
            Attr a = attrs.get(i);
            if (a.key == null) {
                continue;
            }
            if (i > 0) {
                out.append("; ");
            }
            out.append(a.key);
            if (a.value != null) {
                out.append('=').append(a.value);
            }
        }
        return out.toString();
    }

    private static boolean rewriteValue(RequestScope scope, Attr attr, List<Rule> rules) {
        for (Rule rule : rules) {
            String rewritten = rule.apply(scope, attr.value);
            if (rewritten != null) {
                attr.value = rewritten;
                return true;
            }
        }
        return false;
    }

    /** nginx's ngx_http_proxy_parse_cookie: pairs split at ';', name and value trimmed of spaces. */
    private static List<Attr> parse(String line) {
        List<Attr> attrs = new ArrayList<>();
        int start = 0;
        while (true) {
            int last = line.indexOf(';', start);
            if (last < 0) {
                last = line.length();
            }
            String part = line.substring(start, last);
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            attrs.add(new Attr(trim(key), eq < 0 ? null : trim(part.substring(eq + 1))));
            if (last == line.length()) {
                return attrs;
            }
            start = last + 1;
        }
    }

    private static String trim(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == ' ') {
            b++;
        }
        while (e > b && s.charAt(e - 1) == ' ') {
            e--;
        }
        return s.substring(b, e);
    }

    private boolean applyFlags(RequestScope scope, List<Attr> attrs) {
        String cookie = attrs.get(0).key;
        for (Flags rule : flags) {
            if (!rule.matches(scope, cookie)) {
                continue;
            }
            int f = 0;
            for (Template t : rule.flags()) {
                int i = FLAG_NAMES.indexOf(t.render(scope).toLowerCase(Locale.ROOT));
                if (i >= 0) {
                    f |= 1 << i;
                }
            }
            if (f == 0) {
                return false;
            }
            edit(attrs, f);
            return true;
        }
        return false;
    }

    /** nginx's ngx_http_proxy_edit_cookie_flags: a flag already there is kept or changed in place, a missing one appended. */
    private static void edit(List<Attr> attrs, int flags) {
        for (Attr a : attrs.subList(1, attrs.size())) {
            if (a.key.equalsIgnoreCase("secure")) {
                if ((flags & SECURE_ON) != 0) {
                    flags &= ~SECURE_ON;
                } else if ((flags & SECURE_OFF) != 0) {
                    a.key = null;
                }
            } else if (a.key.equalsIgnoreCase("httponly")) {
                if ((flags & HTTPONLY_ON) != 0) {
                    flags &= ~HTTPONLY_ON;
                } else if ((flags & HTTPONLY_OFF) != 0) {
                    a.key = null;
                }
            } else if (a.key.equalsIgnoreCase("samesite")) {
                String wanted = sameSite(flags);
                if (wanted != null) {
                    flags &= ~sameSiteBit(flags);
                    if (!wanted.equalsIgnoreCase(a.value == null ? "" : a.value)) {
                        a.key = "SameSite";
                        a.value = wanted;
                    }
                } else if ((flags & SAMESITE_OFF) != 0) {
                    a.key = null;
                }
            }
        }
        if ((flags & SECURE_ON) != 0) {
            attrs.add(new Attr("Secure", null));
        }
        if ((flags & HTTPONLY_ON) != 0) {
            attrs.add(new Attr("HttpOnly", null));
        }
        String sameSite = sameSite(flags);
        if (sameSite != null) {
            attrs.add(new Attr("SameSite", sameSite));
        }
    }

    /** The SameSite value asked for, by nginx's precedence: Strict, Lax, None. */
    private static int sameSiteBit(int flags) {
        return Integer.lowestOneBit(flags & (SAMESITE_STRICT | SAMESITE_LAX | SAMESITE_NONE));
    }

    private static String sameSite(int flags) {
        return (flags & SAMESITE_STRICT) != 0 ? "Strict" : (flags & SAMESITE_LAX) != 0 ? "Lax"
                : (flags & SAMESITE_NONE) != 0 ? "None" : null;
    }
}
