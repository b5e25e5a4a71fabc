package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.DocumentRoot;
import io.ferry.model.Location;
import io.ferry.model.LocationModifier;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * root and alias: the nearest level that writes either decides, as nginx merges them. An alias
 * inherited by a nested location keeps the prefix length of the location that wrote it (nginx).
 */
final class FilesBuilder {
    private final Map<Directive, Integer> aliasLengths = new IdentityHashMap<>();

    DocumentRoot documentRoot(Scope s, Location location, Path prefix, Variables variables) throws ConfException {
        Directive root = s.own("root");
        Directive alias = s.own("alias");
        if (root != null && alias != null) {
            Directive later = s.ownAllOf("root", "alias").get(1);
            boolean aliasLater = later == alias;
            throw Values.error(later, "\"" + later.name() + "\" directive is duplicate, \""
                    + (aliasLater ? "root" : "alias") + "\" directive was specified earlier");
        }
        if (alias != null) {
            if (location == null) {
                throw Values.error(alias, "\"alias\" directive is not allowed here");
            }
            if (location.modifier() == LocationModifier.NAMED) {
                throw Values.error(alias, "\"alias\" directive cannot be used inside the named location");
            }
            aliasLengths.put(alias, location.modifier().isRegex() ? DocumentRoot.WHOLE : location.path().length());
        }
        for (Scope x = s; x != null; x = x.parent()) {
            Directive r = x.own("root");
            if (r != null) {
                return DocumentRoot.root(template(r, variables), prefix);
            }
            Directive a = x.own("alias");
            if (a != null) {
                return DocumentRoot.alias(template(a, variables), prefix, aliasLengths.getOrDefault(a, 0));
            }
        }
        return DocumentRoot.root(Template.literal("html"), prefix);
    }

    private static Template template(Directive d, Variables variables) throws ConfException {
        return ConfigBuilder.template(d, d.args().get(0), variables);
    }
}
