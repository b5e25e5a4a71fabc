package io.ferry.model;

import io.ferry.variable.RequestScope;
import io.ferry.variable.Template;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * root or alias of a location, mapping $uri to a file as nginx does: {@code root} + URI; an
 * {@code alias} of a prefix location replaces the location's prefix ({@code aliasLength}
 * characters of the URI); an alias of a regex location ({@code aliasLength} = {@link #WHOLE}) is the
 * whole path, built from the location's captures. A relative path is taken from {@code prefix}.
 * {@code base} is the directory nothing may be served from outside of: the path itself, or for a
 * path with variables its literal part up to the last '/' before the first variable.
 */
public record DocumentRoot(Template path, Path prefix, boolean alias, int aliasLength, Path base) {
    public static final int WHOLE = -1;

    public static DocumentRoot root(Template path, Path prefix) {
        return new DocumentRoot(path, prefix, false, 0, base(path, prefix));
    }

    public static DocumentRoot alias(Template path, Path prefix, int aliasLength) {
        return new DocumentRoot(path, prefix, true, aliasLength, base(path, prefix));
    }

    /** $document_root: the root (without a trailing '/') or the alias, variables rendered. */
    public String documentRoot(RequestScope scope) {
        String p = full(path.render(scope), prefix);
        if (!alias && p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** $request_filename: the file path {@code uri} maps to, exactly as nginx builds it (not normalized). */
    public String filename(RequestScope scope, String uri) {
        return filename(scope, uri, scope.uriAddedToAlias());
    }

    private String filename(RequestScope scope, String uri, boolean uriAddedToAlias) {
        String root = documentRoot(scope);
        if (!alias) {
            return root + uri;
        }
        if (aliasLength == WHOLE) {
            return uriAddedToAlias ? root + uri : root;
        }
        return root + (uri.length() >= aliasLength ? uri.substring(aliasLength) : "");
    }

    /**
     * The normalized file {@code uri} maps to, or null when it lies outside {@link #base()} (a
     * traversal, or the classic {@code location /files { alias /x/; }} mistake with "/files../").
     * Symbolic links inside the base are followed, as nginx does by default.
     */
    public Path resolve(RequestScope scope, String uri) {
        return resolve(scope, uri, scope.uriAddedToAlias());
    }

    /** The file a try_files name maps to: under a regex location's alias, that directory plus the name. */
    public Path resolveTried(RequestScope scope, String name) {
        return resolve(scope, name, true);
    }

    /** True for the alias of a regex location, which try_files treats as a directory. */
    public boolean wholeAlias() {
        return alias && aliasLength == WHOLE;
    }

    private Path resolve(RequestScope scope, String uri, boolean uriAddedToAlias) {
        try {
            Path file = Path.of(filename(scope, uri, uriAddedToAlias)).normalize();
            return file.startsWith(base) ? file : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static String full(String p, Path prefix) {
        if (p.startsWith("/")) {
            return p;
        }
        String pre = prefix.toString();
        return pre.endsWith("/") ? pre + p : pre + "/" + p;
    }

    private static Path base(Template path, Path prefix) {
        String text = path.text();
        int var = text.indexOf('$');
        if (var >= 0) {
            int slash = text.lastIndexOf('/', var);
            text = slash < 0 ? "" : text.substring(0, slash + 1);
        }
        if (text.isEmpty() && var >= 0) {
            // Nothing literal to anchor on ("$document_root/..."): only the file system root bounds it.
            return Path.of("/");
        }
        return Path.of(full(text, prefix)).normalize();
    }
}
