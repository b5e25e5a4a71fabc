package io.ferry.upstream.lb;

import io.ferry.upstream.Peer;
import io.ferry.variable.ConnectionScope;
import java.util.Set;

/** A load balancing method: picks one usable peer not yet tried for this request, or null. */
public interface Balancer {
    Peer pick(ConnectionScope request, Set<Peer> tried, long now);
}
