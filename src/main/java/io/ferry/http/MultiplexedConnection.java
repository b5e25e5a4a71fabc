package io.ferry.http;

import java.time.Duration;

/** The HTTP/2 connection that carries a stream's one exchange: what the exchange reports as its connection. */
public interface MultiplexedConnection {
    /** $connection: the connection's number, the same for all its streams. */
    long connectionId();

    /** $connection_requests for the stream starting now. */
    int nextRequest();

    /** How long the connection has been open, for keepalive_time. */
    Duration age();
}
