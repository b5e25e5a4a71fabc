package io.ferry.upstream;

import io.ferry.conf.Context;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Module;
import java.util.EnumSet;

/**
 * nginx's upstream_zone module, http's or stream's: {@code zone NAME [SIZE]} in an upstream block.
 * nginx needs the zone to share a group's state between worker processes; Ferry is one process
 * whose {@link Peer}s are already shared by every event loop, so the zone is checked as nginx
 * checks it (size, conflicting sizes, a size declared somewhere) and changes nothing else.
 */
public final class ZoneModule implements Module {
    private final boolean stream;

    public ZoneModule(boolean stream) {
        this.stream = stream;
    }

    @Override
    public String name() {
        return stream ? "stream_upstream_zone_module" : "http_upstream_zone_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("zone", EnumSet.of(stream ? Context.STREAM_UPSTREAM : Context.UPSTREAM), 1, 2, null, false);
    }
}
