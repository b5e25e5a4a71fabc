package io.ferry.memcached;

import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamUser;
import io.ferry.variable.Template;
import java.time.Duration;

/**
 * memcached_pass of a location. {@code key} renders the memcached key ($memcached_key when the
 * configuration defines it); {@code gzipFlag} (0 = none) marks values stored gzipped;
 * {@code nextUpstream} holds memcached_next_upstream's conditions with its _tries and _timeout.
 */
public record MemcachedSettings(
        Upstream upstream,
        Template key,
        boolean keyIsVariable,
        Duration connectTimeout,
        Duration readTimeout,
        Duration sendTimeout,
        long gzipFlag,
        NextUpstream nextUpstream) implements UpstreamUser {
}
