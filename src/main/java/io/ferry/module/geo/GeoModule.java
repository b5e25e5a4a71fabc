package io.ferry.module.geo;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.MAP;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * nginx's geo module: {@code geo [$address] $variable { ... }} gives the variable a value by the
 * client's address (or the address another variable holds), by longest network or, with
 * {@code ranges}, by address range.
 */
public final class GeoModule implements Module {
    @Override
    public String name() {
        return "http_geo_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("geo", EnumSet.of(HTTP), 1, 2, MAP, true);
    }

    @Override
    public void defineVariables(Level http, Variables variables) throws ConfException {
        define(http, variables, true);
    }

    /** The geo blocks of the http or (not {@code http}) the stream level, each defining its variable. */
    public static void define(Level level, Variables variables, boolean http) throws ConfException {
        // every geo variable is declared before any source compiles, so one geo may read another's
        Map<Directive, GeoVariable[]> declared = new LinkedHashMap<>();
        for (Directive d : level.ownAll("geo")) {
            String name = d.args().get(d.args().size() - 1);
            if (!name.startsWith("$") || name.length() < 2) {
                throw Values.error(d, "invalid variable name \"" + name + "\"");
            }
            GeoVariable[] built = new GeoVariable[1];
            variables.define(name.substring(1), s -> built[0].value(s));
            declared.put(d, built);
        }
        for (Map.Entry<Directive, GeoVariable[]> e : declared.entrySet()) {
            Directive d = e.getKey();
            Template source = d.args().size() == 2 ? level.template(d, d.args().get(0)) : null;
            e.getValue()[0] = GeoBlock.parse(d, source, http);
        }
    }
}
