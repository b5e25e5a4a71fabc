package io.ferry.http.conn;

import java.time.Duration;

/**
 * How the core module treats a client connection at one level: which header lines count as valid
 * (ignore_invalid_headers, underscores_in_headers) and whether a URI's slashes are merged
 * (merge_slashes), which nginx reads from the listen socket's default server; how it ends
 * (reset_timedout_connection, lingering_close, lingering_time, lingering_timeout).
 */
public record ConnectionSettings(boolean ignoreInvalidHeaders, boolean underscoresInHeaders, boolean mergeSlashes, boolean resetTimedout,
                                 Lingering lingeringClose, Duration lingeringTime, Duration lingeringTimeout) {
    public static final ConnectionSettings DEFAULT = new ConnectionSettings(true, false, true, false, Lingering.ON,
            Duration.ofSeconds(30), Duration.ofSeconds(5));

    public enum Lingering {
        /** Close at once, whatever the client may still send. */
        OFF,
        /** Linger when the client may still be sending (a body left unread, or more bytes waiting). */
        ON,
        /** Linger on every close. */
        ALWAYS
    }
}
