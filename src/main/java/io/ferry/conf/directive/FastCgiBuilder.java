package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.FastCgiParam;
import io.ferry.model.FastCgiSettings;
import io.ferry.model.NextUpstream;
import io.ferry.model.Upstream;
import io.ferry.variable.Regex;
import io.ferry.variable.Variables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/** fastcgi_* directives of one level, merged as nginx does; settings only where fastcgi_pass is written. */
final class FastCgiBuilder {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** nginx's fastcgi_next_upstream takes no http_502/http_504: those are Ferry's own answers. */
    private static final Set<NextUpstream.Condition> CONDITIONS = EnumSet.of(NextUpstream.Condition.ERROR,
            NextUpstream.Condition.TIMEOUT, NextUpstream.Condition.INVALID_HEADER, NextUpstream.Condition.HTTP_500,
            NextUpstream.Condition.HTTP_503, NextUpstream.Condition.HTTP_403, NextUpstream.Condition.HTTP_404,
            NextUpstream.Condition.HTTP_429, NextUpstream.Condition.NON_IDEMPOTENT);
    /** Accepted for compatibility, checked, and without effect: Ferry streams both bodies. */
    static final List<String> NO_EFFECT_FLAGS = List.of("fastcgi_buffering", "fastcgi_request_buffering");
    static final List<String> NO_EFFECT_SIZES = List.of("fastcgi_buffer_size", "fastcgi_busy_buffers_size");

    private FastCgiBuilder() {
    }

    static FastCgiSettings settings(Scope s, Variables variables, Map<String, Upstream> upstreams) throws ConfException {
        checkOwn(s, variables);
        Directive pass = s.own("fastcgi_pass");
        if (pass == null) {
            return null;
        }
        if (s.own("proxy_pass") != null) {
            throw Values.error(pass, "\"fastcgi_pass\" directive is duplicate, \"proxy_pass\" is set in this location");
        }
        List<FastCgiParam> params = new ArrayList<>();
        for (Directive d : s.inheritedAll("fastcgi_param")) {
            params.add(new FastCgiParam(d.args().get(0), ConfigBuilder.template(d, d.args().get(1), variables),
                    d.args().size() == 3));
        }
        Directive indexD = s.inherited("fastcgi_index");
        Directive splitD = s.inherited("fastcgi_split_path_info");
        Directive keepD = s.inherited("fastcgi_keep_conn");
        Directive interceptD = s.inherited("fastcgi_intercept_errors");
        return new FastCgiSettings(upstream(pass, upstreams), pass.args().get(0), List.copyOf(params),
                indexD == null ? null : indexD.args().get(0), splitD == null ? null : split(splitD),
                keepD != null && Values.flag(keepD),
                timeout(s, "fastcgi_connect_timeout"), timeout(s, "fastcgi_read_timeout"), timeout(s, "fastcgi_send_timeout"),
                interceptD != null && Values.flag(interceptD), nextUpstream(s));
    }

    /** What each level writes is checked even where no fastcgi_pass uses it, so -t reports it. */
    private static void checkOwn(Scope s, Variables variables) throws ConfException {
        for (Directive d : s.ownAll("fastcgi_param")) {
            if (d.args().size() == 3 && !d.args().get(2).equals("if_not_empty")) {
                throw Values.error(d, "invalid parameter \"" + d.args().get(2) + "\"");
            }
            ConfigBuilder.template(d, d.args().get(1), variables);
        }
        for (String name : List.of("fastcgi_keep_conn", "fastcgi_intercept_errors")) {
            if (s.own(name) != null) {
                Values.flag(s.own(name));
            }
        }
        for (String name : NO_EFFECT_FLAGS) {
            if (s.own(name) != null) {
                Values.flag(s.own(name));
            }
        }
        for (String name : NO_EFFECT_SIZES) {
            if (s.own(name) != null) {
                Values.size(s.own(name), s.own(name).args().get(0));
            }
        }
        Directive buffers = s.own("fastcgi_buffers");
        if (buffers != null) {
            Values.positiveInt(buffers, buffers.args().get(0));
            Values.size(buffers, buffers.args().get(1));
        }
        for (String name : List.of("fastcgi_connect_timeout", "fastcgi_read_timeout", "fastcgi_send_timeout")) {
            if (s.own(name) != null) {
                Values.time(s.own(name), s.own(name).args().get(0));
            }
        }
        if (s.own("fastcgi_split_path_info") != null) {
            split(s.own("fastcgi_split_path_info"));
        }
        if (s.own("fastcgi_next_upstream") != null) {
            conditions(s.own("fastcgi_next_upstream"));
        }
        for (String name : List.of("fastcgi_next_upstream_tries")) {
            Directive d = s.own(name);
            if (d != null && !d.args().get(0).equals("0")) {
                Values.positiveInt(d, d.args().get(0));
            }
        }
        if (s.own("fastcgi_next_upstream_timeout") != null) {
            Values.time(s.own("fastcgi_next_upstream_timeout"), s.own("fastcgi_next_upstream_timeout").args().get(0));
        }
    }

    /** unix:PATH (an implicit one-peer group), else an upstream block or HOST:PORT as every *_pass. */
    private static Upstream upstream(Directive pass, Map<String, Upstream> upstreams) throws ConfException {
        String address = pass.args().get(0);
        if (address.startsWith("unix:") && !upstreams.containsKey(address)) {
            return UpstreamBuilder.implicitUnix(pass, address);
        }
        return UpstreamBuilder.target(pass, upstreams);
    }

    private static Regex split(Directive d) throws ConfException {
        String pattern = d.args().get(0);
        Regex regex;
        try {
            regex = Regex.compile(pattern, false);
        } catch (PatternSyntaxException e) {
            throw Values.error(d, "invalid regex \"" + pattern + "\": " + e.getDescription());
        }
        if (regex.pattern().matcher("").groupCount() != 2) {
            throw Values.error(d, "pattern \"" + pattern + "\" must have 2 captures");
        }
        return regex;
    }

    private static Set<NextUpstream.Condition> conditions(Directive d) throws ConfException {
        Set<NextUpstream.Condition> conditions = EnumSet.noneOf(NextUpstream.Condition.class);
        for (String arg : d.args()) {
            if (arg.equals("off") && d.args().size() == 1) {
                continue;
            }
            NextUpstream.Condition c;
            try {
                c = NextUpstream.Condition.valueOf(arg.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Values.invalid(d, arg);
            }
            if (!CONDITIONS.contains(c)) {
                throw Values.invalid(d, arg);
            }
            conditions.add(c);
        }
        return conditions;
    }

    private static Duration timeout(Scope s, String name) throws ConfException {
        Directive d = s.inherited(name);
        return d == null ? DEFAULT_TIMEOUT : Values.time(d, d.args().get(0));
    }

    private static NextUpstream nextUpstream(Scope s) throws ConfException {
        Directive d = s.inherited("fastcgi_next_upstream");
        Set<NextUpstream.Condition> conditions = d == null
                ? EnumSet.of(NextUpstream.Condition.ERROR, NextUpstream.Condition.TIMEOUT) : conditions(d);
        Directive tries = s.inherited("fastcgi_next_upstream_tries");
        int n = tries == null || tries.args().get(0).equals("0") ? 0 : Values.positiveInt(tries, tries.args().get(0));
        Directive timeout = s.inherited("fastcgi_next_upstream_timeout");
        return new NextUpstream(Set.copyOf(conditions), n,
                timeout == null ? Duration.ZERO : Values.time(timeout, timeout.args().get(0)));
    }
}
