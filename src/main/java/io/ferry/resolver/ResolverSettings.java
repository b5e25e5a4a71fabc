package io.ferry.resolver;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A level's resolver: the name servers, tried in turn; {@code valid} (null: the answers' TTL)
 * how long an answer is kept; which address families are asked for; resolver_timeout.
 */
public record ResolverSettings(List<InetSocketAddress> servers, Duration valid, boolean ipv4, boolean ipv6,
        Duration timeout) {
}
