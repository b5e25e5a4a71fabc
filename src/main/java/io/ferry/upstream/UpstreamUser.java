package io.ferry.upstream;

/** Module settings that send requests to an upstream group: the group's pool outlives a reload that keeps it. */
public interface UpstreamUser {
    Upstream upstream();
}
