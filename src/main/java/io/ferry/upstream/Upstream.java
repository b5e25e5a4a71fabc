package io.ferry.upstream;

import io.ferry.variable.Template;
import java.time.Duration;
import java.util.List;

/**
 * An upstream group: its peers, balancing method and keepalive pool (size, idle timeout, requests
 * and age a connection may reach). A proxy_pass to a plain
 * host:port gets an implicit group of the addresses that name resolves to, as in nginx.
 */
public record Upstream(
        String name,
        List<UpstreamServer> servers,
        Balance balance,
        Template hashKey,
        boolean consistent,
        int keepalive,
        Duration keepaliveTimeout,
        int keepaliveRequests,
        Duration keepaliveTime,
        String file,
        int line) {

    public enum Balance { ROUND_ROBIN, LEAST_CONN, IP_HASH, HASH, RANDOM, RANDOM_TWO }
}
