package io.ferry.files;

import io.ferry.http.Exchange;
import io.ferry.model.LocationSettings;
import io.ferry.route.LocationMatch;
import io.ferry.route.LocationMatcher;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An index file found for a directory URI. nginx answers it by an internal redirect to URI+index,
 * so the location of the new URI serves it ("/" → "/index.php" → the PHP location). When that is
 * the current location the file is sent from here; when another location would take it, the file
 * is never sent as bytes (a PHP script's source must not leak).
 */
final class IndexFiles {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    private IndexFiles() {
    }

    static void serve(Exchange ex, String targetUri, Path file) {
        if (sameLocation(ex, targetUri)) {
            FileResponse.send(ex, file);
            return;
        }
        LOG.error("index \"{}\" belongs to another location and internal redirects are not available, client: {}, "
                + "server: {}, request: \"{} {} {}\"", targetUri, ex.remoteAddr(), ex.serverName(), ex.method(),
                ex.requestUri(), ex.protocol());
        ex.sendError(HttpResponseStatus.FORBIDDEN, false);
    }

    static boolean sameLocation(Exchange ex, String uri) {
        LocationMatch match = LocationMatcher.find(ex.server().locations(), uri);
        LocationSettings target = match == null ? ex.server().fallback() : match.location().settings();
        return target == ex.settings();
    }
}
