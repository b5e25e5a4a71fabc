package io.ferry.stream.geo;

import static io.ferry.conf.Context.MAP;
import static io.ferry.conf.Context.STREAM;

import io.ferry.conf.ConfException;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.geo.GeoModule;
import io.ferry.stream.StreamHandlerModule;
import io.ferry.variable.Variables;
import java.util.EnumSet;

/** nginx's ngx_stream_geo_module: http's geo blocks (without proxy and X-Forwarded-For) in the stream block. */
public final class StreamGeoModule implements StreamHandlerModule {
    @Override
    public String name() {
        return "stream_geo_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("geo", EnumSet.of(STREAM), 1, 2, MAP, true);
    }

    @Override
    public void defineVariables(Level stream, Variables variables) throws ConfException {
        GeoModule.define(stream, variables, false);
    }
}
