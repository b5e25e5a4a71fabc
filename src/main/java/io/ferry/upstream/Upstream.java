package io.ferry.upstream;

import io.ferry.resolver.ResolverSettings;
import io.ferry.variable.Template;
import java.time.Duration;
import java.util.List;

/**
 * An upstream group: its peers, balancing method and keepalive pool (size, idle timeout, requests
 * and age a connection may reach). A proxy_pass to a plain
 * host:port gets an implicit group of the addresses that name resolves to, as in nginx.
 * {@code resolve} lists the `server NAME resolve` lines whose peers {@code resolver} finds at run
 * time (empty, and null, in a group without them).
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
        int line,
        List<ResolvedName> resolve,
        ResolverSettings resolver) {

    public enum Balance { ROUND_ROBIN, LEAST_CONN, IP_HASH, HASH, RANDOM, RANDOM_TWO }

    /** A group whose peers are all known when the configuration is read. */
    public Upstream(String name, List<UpstreamServer> servers, Balance balance, Template hashKey, boolean consistent,
            int keepalive, Duration keepaliveTimeout, int keepaliveRequests, Duration keepaliveTime, String file,
            int line) {
        this(name, servers, balance, hashKey, consistent, keepalive, keepaliveTimeout, keepaliveRequests,
                keepaliveTime, file, line, List.of(), null);
    }
}
