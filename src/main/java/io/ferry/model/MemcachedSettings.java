package io.ferry.model;

import io.ferry.variable.Template;
import java.time.Duration;
import java.util.Set;

/**
 * memcached_pass of a location. {@code key} renders the memcached key ($memcached_key when the
 * configuration defines it); {@code gzipFlag} (0 = none) marks values stored gzipped;
 * {@code nextUpstream} empty is "off", {@code tries} 0 and {@code nextUpstreamTimeout} zero are unlimited.
 */
public record MemcachedSettings(
        Upstream upstream,
        Template key,
        boolean keyIsVariable,
        Duration connectTimeout,
        Duration readTimeout,
        Duration sendTimeout,
        long gzipFlag,
        Set<Retry> nextUpstream,
        int tries,
        Duration nextUpstreamTimeout) {

    /** memcached_next_upstream conditions. */
    public enum Retry { ERROR, TIMEOUT, INVALID_RESPONSE, NOT_FOUND }
}
