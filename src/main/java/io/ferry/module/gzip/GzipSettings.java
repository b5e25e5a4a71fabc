package io.ferry.module.gzip;

import io.ferry.variable.Regex;
import java.util.List;
import java.util.Set;

/**
 * One level's gzip settings. {@code types} null means "*" (any type); {@code proxied} holds the
 * gzip_proxied keywords; {@code disable} the gzip_disable expressions, with msie6 apart.
 */
record GzipSettings(boolean enabled, Set<String> types, int level, long minLength, Set<Proxied> proxied,
                    boolean vary, List<Regex> disable, boolean disableMsie6, boolean http10, Static gzipStatic) {

    enum Proxied { OFF, EXPIRED, NO_CACHE, NO_STORE, PRIVATE, NO_LAST_MODIFIED, NO_ETAG, AUTH, ANY }

    enum Static { OFF, ON, ALWAYS }

    boolean compresses(String contentType) {
        if (types == null) {
            return true;
        }
        return types.contains(contentType);
    }
}
