package io.ferry.stream;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.log.AccessLog;
import io.ferry.model.Listen;
import io.ferry.tls.Tls;
import io.ferry.module.Level;
import io.ferry.variable.Variables;
import java.util.List;

/**
 * What the configuration loader lends {@link StreamSettings}: the stream block's levels, and what
 * stream shares with http (upstream blocks, log_format and access_log, ssl_*, listen addresses),
 * built by the same code so that -t says the same things about them.
 */
public interface StreamLoader {
    /** Rejects a variable the namespace does not have, before anything is compiled (as nginx reports it). */
    @FunctionalInterface
    interface NameCheck {
        void check(Directive d, String text) throws ConfException;
    }

    /** Defines the variables of a level's blocks beside map (geo, split_clients) once maps are declared. */
    @FunctionalInterface
    interface VariableBlocks {
        void define(Level level, Variables variables) throws ConfException;
    }

    /**
     * The stream {} level, once its maps, {@code blocks}' variables, upstream blocks and log formats
     * are built with {@code variables}.
     */
    Level block(Variables variables, NameCheck names, VariableBlocks blocks) throws ConfException;

    /** The level of one server {} of the block; its proxy_pass finds the block's upstreams. */
    Level server(Directive block);

    /** access_log at a level, in the block's log formats. */
    List<AccessLog> accessLogs(Level level) throws ConfException;

    /** The TLS of a server with a "listen ... ssl" (the ssl_* directives of its level), else null. */
    Tls tls(Level level, List<Listen> listens, Directive block) throws ConfException;

    /** A plain listen of an address as nginx parses it: host null for every address, port 0 when none is written. */
    Listen address(Directive d, String text) throws ConfException;
}
