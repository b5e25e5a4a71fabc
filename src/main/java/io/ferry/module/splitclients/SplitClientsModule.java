package io.ferry.module.splitclients;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.MAP;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Variables;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * nginx's split_clients module: {@code split_clients STRING $variable { 0.5% a; * b; }} gives the
 * variable the value of the share STRING's MurmurHash2 falls in, for A/B tests.
 */
public final class SplitClientsModule implements Module {
    private static final int WHOLE = 10000;

    @Override
    public String name() {
        return "http_split_clients_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("split_clients", EnumSet.of(HTTP), 2, 2, MAP, true);
    }

    @Override
    public void defineVariables(Level http, Variables variables) throws ConfException {
        define(http, variables);
    }

    /** The split_clients blocks of the http or the stream level, each defining its variable. */
    public static void define(Level level, Variables variables) throws ConfException {
        for (Directive d : level.ownAll("split_clients")) {
            String name = d.args().get(1);
            if (!name.startsWith("$") || name.length() < 2) {
                throw Values.error(d, "invalid variable name \"" + name + "\"");
            }
            List<SplitClients.Part> parts = new ArrayList<>();
            long sum = 0;
            long last = 0;
            for (Directive e : d.block()) {
                if (e.args().size() != 1 || e.hasBlock()) {
                    throw Values.error(e, "invalid number of the split_clients parameters");
                }
                int percent = percent(e);
                sum = percent == 0 ? WHOLE : sum + percent;
                if (sum > WHOLE) {
                    throw Values.error(e, "percent total is greater than 100%");
                }
                if (percent != 0) {
                    last += percent * 0xffffffffL / WHOLE;
                }
                parts.add(new SplitClients.Part(percent == 0 ? 0 : last, e.args().get(0)));
            }
            variables.define(name.substring(1), new SplitClients(level.template(d, d.args().get(0)), List.copyOf(parts)));
        }
    }

    /** "*" as 0, else hundredths of a percent as nginx's ngx_atofp(…, 2) reads them: at most two decimals. */
    private static int percent(Directive e) throws ConfException {
        String p = e.name();
        if (p.equals("*")) {
            return 0;
        }
        if (p.matches("[0-9]+(\\.[0-9]{0,2})?%")) {
            BigDecimal n = new BigDecimal(p.substring(0, p.length() - 1)).movePointRight(2);
            if (n.signum() > 0 && n.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
                return n.intValueExact();
            }
        }
        throw Values.error(e, "invalid percent value \"" + p + "\"");
    }
}
