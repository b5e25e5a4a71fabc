package io.ferry.module.gzip;

import io.ferry.files.FilePaths;
import io.ferry.files.FileResponse;
import io.ferry.http.Exchange;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * gzip_static (ngx_http_gzip_static_handler): a GET or HEAD for a file whose ".gz" sibling exists is
 * answered with that file and Content-Encoding: gzip, when the client accepts gzip ("on") or always.
 * Otherwise it declines and the static handler serves the original.
 */
final class GzipStatic {
    private GzipStatic() {
    }

    static boolean handle(Exchange ex) {
        GzipSettings s = GzipModule.SETTINGS.in(ex.settings().modules());
        if (s.gzipStatic() == GzipSettings.Static.OFF || !(ex.method().equals("GET") || ex.method().equals("HEAD"))
                || ex.uri().endsWith("/")) {
            return false;
        }
        boolean ok = s.gzipStatic() == GzipSettings.Static.ALWAYS || GzipFilter.acceptable(ex, s, null);
        if (!ok && !s.vary()) {
            return false;
        }
        Path original = FilePaths.resolve(ex.settings(), ex, ex.uri());
        Path gz = original == null ? null : original.resolveSibling(original.getFileName() + ".gz");
        if (gz == null || !Files.isRegularFile(gz)) {
            return false;
        }
        ex.moduleContext(GzipModule.VARY, Boolean.TRUE);
        if (!ok) {
            return false;
        }
        FileResponse.send(ex, gz, original, "gzip");
        return true;
    }
}
