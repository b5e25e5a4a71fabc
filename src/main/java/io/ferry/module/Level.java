package io.ferry.module;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.upstream.NextUpstream;
import io.ferry.model.Slot;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamNames;
import io.ferry.variable.Template;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One configuration level (http, server, location or if) as a module sees it while building its
 * settings. nginx's merge rule is in the lookups: a value written at an inner level wins, and a list
 * directive is inherited as a whole only when the inner level writes none.
 */
public interface Level {
    /** The directive written at this level, or null. */
    Directive own(String name);

    /**
     * The upstream module's content directive {@code name} (proxy_pass, fastcgi_pass, ...) of this
     * level: its own, else, in an {@code if} block that writes none of them, the enclosing
     * location's, as nginx's upstream modules inherit their handler into such a block.
     */
    Directive pass(String name);

    /** Every line of a directive written at this level. */
    List<Directive> ownAll(String name);

    /** Every directive written at this level, in order (for modules whose directives run as a script). */
    List<Directive> written();

    /** This level's value, else the nearest enclosing level's, or null. */
    Directive inherited(String name);

    /** Every line of a repeatable directive from the nearest level that writes any. */
    List<Directive> inheritedAll(String name);

    /**
     * What a module built once for this configuration at the http level ({@link Module#httpSettings});
     * null outside http, and while the http level itself is being built.
     */
    <T> T http(Slot<T> slot);

    /**
     * Every line of several repeatable directives that form one list (allow and deny), in the order
     * written, from the nearest level that writes any of them.
     */
    List<Directive> inheritedAllOf(String... names);

    /** A value with variables, compiled against this configuration's variables. */
    Template template(Directive d, String text) throws ConfException;

    /** Whether a variable of this name exists (built in, set, map or a module's). */
    boolean variableDefined(String name);

    /** The directory relative paths resolve against (nginx's prefix). */
    Path prefix();

    /** The directory of the main configuration file, which some paths are relative to (nginx's conf prefix). */
    Path confPrefix();

    /**
     * The location being built: null at the server level; inside an {@code if}, a named stand-in for
     * the enclosing location (its URI rules are a named location's, as in nginx).
     */
    Location location();

    /**
     * The settings of an {@code if} block written at this level, built as every level's are (each
     * module's); null at the server level, where such a block holds only rewrite directives.
     */
    LocationSettings ifSettings(Directive ifBlock) throws ConfException;

    /** The {@code upstream} block of this name, or null. */
    Upstream group(String name);

    /**
     * The peers a {@code *_pass} names: an upstream block, else HOST:PORT, else (when {@code unix}
     * is allowed) unix:PATH as an implicit one-peer group.
     */
    Upstream upstream(Directive pass, boolean unix) throws ConfException;

    /** The implicit group of every address HOST resolves to, on PORT (proxy_pass http://host:port). */
    Upstream implicit(Directive d, String hostPort, String host, int port) throws ConfException;

    /** Every group a {@code *_pass} with variables may name at run time. */
    UpstreamNames upstreamNames();

    /** An inherited time directive, or {@code otherwise} where no level writes it. */
    default Duration time(String name, Duration otherwise) throws ConfException {
        Directive d = inherited(name);
        return d == null ? otherwise : Values.time(d, d.args().get(0));
    }

    /** An inherited on|off directive, or {@code otherwise} where no level writes it. */
    default boolean flag(String name, boolean otherwise) throws ConfException {
        Directive d = inherited(name);
        return d == null ? otherwise : Values.flag(d);
    }

    /**
     * PREFIX_next_upstream (conditions out of {@code allowed}, default error and timeout; "off"
     * alone is none), PREFIX_next_upstream_tries (0 = unlimited) and PREFIX_next_upstream_timeout.
     */
    default NextUpstream nextUpstream(String prefix, Set<NextUpstream.Condition> allowed) throws ConfException {
        Directive d = inherited(prefix + "_next_upstream");
        Set<NextUpstream.Condition> conditions = d == null
                ? EnumSet.of(NextUpstream.Condition.ERROR, NextUpstream.Condition.TIMEOUT)
                : Values.keywords(d, NextUpstream.Condition.class, allowed);
        return new NextUpstream(Set.copyOf(conditions), tries(prefix + "_next_upstream_tries"),
                time(prefix + "_next_upstream_timeout", Duration.ZERO));
    }

    /** An inherited PREFIX_next_upstream_tries: 0 (unlimited) where no level writes it or it says 0. */
    default int tries(String name) throws ConfException {
        Directive d = inherited(name);
        return d == null || d.args().get(0).equals("0") ? 0 : Values.positiveInt(d, d.args().get(0));
    }
}
