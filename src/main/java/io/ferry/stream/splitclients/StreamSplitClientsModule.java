package io.ferry.stream.splitclients;

import static io.ferry.conf.Context.MAP;
import static io.ferry.conf.Context.STREAM;

import io.ferry.conf.ConfException;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.splitclients.SplitClientsModule;
import io.ferry.stream.StreamHandlerModule;
import io.ferry.variable.Variables;
import java.util.EnumSet;

/** nginx's ngx_stream_split_clients_module: http's split_clients blocks in the stream block. */
public final class StreamSplitClientsModule implements StreamHandlerModule {
    @Override
    public String name() {
        return "stream_split_clients_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("split_clients", EnumSet.of(STREAM), 2, 2, MAP, true);
    }

    @Override
    public void defineVariables(Level stream, Variables variables) throws ConfException {
        SplitClientsModule.define(stream, variables);
    }
}
