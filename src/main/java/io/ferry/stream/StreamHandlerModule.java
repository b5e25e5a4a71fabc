package io.ferry.stream;

import io.ferry.conf.ConfException;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.variable.ConnectionVariable;
import io.ferry.variable.Variables;
import java.util.List;
import java.util.Map;

/**
 * One of the stream block's modules beyond proxying (nginx's ngx_stream_*_module), listed in
 * {@link StreamModules}: its directive rows, the variables it has, the ones its blocks define
 * (map-like: geo, split_clients), and the handler it adds to a server's phase.
 */
public interface StreamHandlerModule {
    /** nginx's name for it, as ./configure spells it after --without- (stream_access_module). */
    String name();

    /** The ./configure words {@code -V} prints for it (--with-stream_realip_module); default modules print none. */
    default List<String> configureArguments() {
        return List.of();
    }

    void directives(DirectiveRows rows);

    /** Variables it always has ($realip_remote_addr); stream's namespace only. */
    default Map<String, ConnectionVariable> variables() {
        return Map.of();
    }

    /** Defines the variables its blocks in the stream {} level declare, before any server is built. */
    default void defineVariables(Level stream, Variables variables) throws ConfException {
    }

    /** The phase its handler runs in. */
    default StreamPhase phase() {
        return StreamPhase.PREACCESS;
    }

    /** Its handler for one server, or null when the server (and the block) write none of its directives. */
    default StreamHandler handler(Level server) throws ConfException {
        return null;
    }
}
