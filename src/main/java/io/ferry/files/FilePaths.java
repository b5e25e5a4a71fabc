package io.ferry.files;

import io.ferry.model.DocumentRoot;
import io.ferry.model.LocationSettings;
import io.ferry.variable.RequestScope;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a URI lives on disk under a location's {@code root} or {@code alias}, for the static file
 * handler and for {@code try_files}. A URI that would map outside the root or alias directory
 * (traversal, or {@code location /files { alias /x/; }} with "/files../") maps to nothing.
 * Symbolic links are followed, as nginx does by default ({@code disable_symlinks off}).
 */
public final class FilePaths {
    private FilePaths() {
    }

    /** The normalized file {@code uri} maps to, or null when it would lie outside the root/alias. */
    public static Path resolve(LocationSettings settings, RequestScope scope, String uri) {
        DocumentRoot root = settings.documentRoot();
        if (root == null || uri.indexOf('\0') >= 0) {
            return null;
        }
        return root.resolve(scope, uri);
    }

    /** True when {@code uri} maps to an existing regular file (what try_files tests for a plain name). */
    public static boolean isFile(LocationSettings settings, RequestScope scope, String uri) {
        Path p = resolve(settings, scope, uri);
        return p != null && Files.isRegularFile(p);
    }

    /** True when {@code uri} maps to an existing directory (what try_files tests for a name ending in '/'). */
    public static boolean isDirectory(LocationSettings settings, RequestScope scope, String uri) {
        Path p = resolve(settings, scope, uri);
        return p != null && Files.isDirectory(p);
    }
}
