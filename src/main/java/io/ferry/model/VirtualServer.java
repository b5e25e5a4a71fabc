package io.ferry.model;

import io.ferry.tls.Tls;

import java.util.List;

/**
 * A server block. {@code fallback} holds the server-level settings that apply when no location
 * matches (nginx then uses the server's own configuration).
 */
public record VirtualServer(
        List<Listen> listens,
        List<ServerName> names,
        Tls tls,
        List<Location> locations,
        LocationSettings fallback,
        ServerLimits limits,
        String file,
        int line) {

    /** The name nginx reports as $server_name: the first one written (".name" reads as "name"), or "" when none. */
    public String primaryName() {
        if (names.isEmpty()) {
            return "";
        }
        String first = names.get(0).text();
        return first.startsWith(".") ? first.substring(1) : first;
    }
}
