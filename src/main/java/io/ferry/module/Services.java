package io.ferry.module;

import io.ferry.http.conn.ConnectionStates;
import io.ferry.metrics.Metrics;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Upstreams;

/** What a running server lends its modules' handlers: upstream pools, open tunnels, connection and request counts. */
public record Services(Upstreams upstreams, Tunnels tunnels, ConnectionStates states, Metrics metrics) {
}
