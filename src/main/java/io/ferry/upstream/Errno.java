package io.ferry.upstream;

import java.io.FileNotFoundException;
import java.util.Map;

/** Socket errors in nginx's "(111: Connection refused)" form, so existing log alerts keep matching. */
public final class Errno {
    /** ENOSPC, which a full disk gives every write: callers stop writing for a while instead of retrying each line. */
    public static final String NO_SPACE = "28: No space left on device";
    private static final Map<String, String> KNOWN = Map.of(
            "Connection refused", "111: Connection refused",
            "Connection reset", "104: Connection reset by peer",
            "No route to host", "113: No route to host",
            "Network is unreachable", "101: Network is unreachable",
            "Broken pipe", "32: Broken pipe",
            "No such file", "2: No such file or directory",
            "Permission denied", "13: Permission denied",
            "No space left on device", NO_SPACE);

    private Errno() {
    }

    public static String describe(Throwable t) {
        // epoll's connect() to a unix socket path that does not exist: ENOENT with no message
        if (t instanceof FileNotFoundException && t.getMessage() == null) {
            return KNOWN.get("No such file");
        }
        String message = String.valueOf(t.getMessage());
        for (Map.Entry<String, String> e : KNOWN.entrySet()) {
            if (message.contains(e.getKey())) {
                return e.getValue();
            }
        }
        return message;
    }
}
