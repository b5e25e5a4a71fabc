package io.ferry.stream.set;

import static io.ferry.conf.Context.STREAM_SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.stream.StreamHandler;
import io.ferry.stream.StreamHandlerModule;
import io.ferry.variable.Template;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * nginx's ngx_stream_set_module: a server's `set $name value` lines, run in order in the
 * pre-access phase. The name is declared for the whole block when the configuration is read
 * (empty where no set ran); a value set for a map's (or geo's) variable is what the session reads
 * from then on.
 */
public final class StreamSetModule implements StreamHandlerModule {
    private record Assignment(String name, Template value) {
    }

    @Override
    public String name() {
        return "stream_set_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("set", EnumSet.of(STREAM_SERVER), 2, 2, null, true);
    }

    @Override
    public StreamHandler handler(Level server) throws ConfException {
        List<Assignment> assignments = new ArrayList<>();
        for (Directive d : server.ownAll("set")) {
            String name = d.args().get(0);
            if (!name.startsWith("$") || name.length() < 2) {
                throw Values.error(d, "invalid variable name \"" + name + "\"");
            }
            assignments.add(new Assignment(name.substring(1), server.template(d, d.args().get(1))));
        }
        if (assignments.isEmpty()) {
            return null;
        }
        return s -> {
            for (Assignment a : assignments) {
                s.setUserVariable(a.name(), a.value().render(s));
            }
            return StreamHandler.NEXT;
        };
    }
}
