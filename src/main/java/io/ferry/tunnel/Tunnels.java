package io.ferry.tunnel;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open tunnels of the server, by kind (for gauges, and for graceful shutdown). */
public final class Tunnels {
    public enum Kind { WEBSOCKET, STREAM }

    private final Map<Tunnel, Kind> open = new ConcurrentHashMap<>();

    public void opened(Tunnel t, Kind kind) {
        open.put(t, kind);
    }

    public void closed(Tunnel t) {
        open.remove(t);
    }

    public long count(Kind kind) {
        return open.values().stream().filter(k -> k == kind).count();
    }

    public Set<Tunnel> all() {
        return Set.copyOf(open.keySet());
    }

    public Kind kindOf(Tunnel t) {
        return open.get(t);
    }
}
