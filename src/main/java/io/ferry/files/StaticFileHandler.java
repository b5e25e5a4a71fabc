package io.ferry.files;

import io.ferry.http.hook.ContentHandler;
import io.ferry.http.Exchange;
import io.ferry.http.RequestTarget;
import io.ferry.model.LocationSettings;
import io.ferry.module.autoindex.AutoindexModule;
import io.ferry.variable.Template;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Serves files under {@code root} or {@code alias}: index files for a URI ending in '/', a 301 to
 * the slash form of a directory, and {@link FileResponse} for the file itself. Nothing outside the
 * root or alias directory is ever opened ({@link FilePaths}).
 */
public final class StaticFileHandler implements ContentHandler {
    public static final StaticFileHandler INSTANCE = new StaticFileHandler();

    @Override
    public void handle(Exchange ex) {
        HttpMethod method = ex.request().method();
        // a POST is refused only once the file is found, as nginx: one to a missing file is a 404
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD) && !method.equals(HttpMethod.POST)) {
            ex.sendError(HttpResponseStatus.METHOD_NOT_ALLOWED, false);
            return;
        }
        LocationSettings s = ex.settings();
        String uri = ex.uri();
        if (uri.endsWith("/")) {
            index(ex, s, uri);
            return;
        }
        Path file = FilePaths.resolve(s, ex, uri);
        if (file == null) {
            ex.sendError(HttpResponseStatus.NOT_FOUND, false);
            return;
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            notFound(ex, "open() \"" + file + "\" failed (2: No such file or directory)");
            return;
        } catch (AccessDeniedException e) {
            ex.sendError(HttpResponseStatus.FORBIDDEN, false);
            return;
        } catch (IOException e) {
            // ENOTDIR ("/file.txt/x") and the like: nothing there.
            notFound(ex, "open() \"" + file + "\" failed (20: Not a directory)");
            return;
        }
        if (attrs.isDirectory()) {
            String args = ex.args();
            ex.sendRedirect(HttpResponseStatus.MOVED_PERMANENTLY,
                    RequestTarget.escape(uri) + "/" + (args == null ? "" : "?" + args));
            return;
        }
        if (!attrs.isRegularFile()) {
            ex.sendError(HttpResponseStatus.NOT_FOUND, false);
            return;
        }
        if (method.equals(HttpMethod.POST)) {
            ex.sendError(HttpResponseStatus.METHOD_NOT_ALLOWED, false);
            return;
        }
        FileResponse.send(ex, file);
    }

    /**
     * The first index file that exists, by an internal redirect to URI+name (the query string is
     * kept); for a directory without one the autoindex listing, else 403 (nginx: "directory index ...
     * is forbidden"). As in
     * nginx, a name with an absolute path is redirected to without looking for the file.
     */
    private static void index(Exchange ex, LocationSettings s, String uri) {
        Path dir = FilePaths.resolve(s, ex, uri);
        if (dir == null) {
            ex.sendError(HttpResponseStatus.NOT_FOUND, false);
            return;
        }
        for (Template index : s.index()) {
            String name = index.render(ex);
            if (name.startsWith("/")) {
                ex.internalRedirect(name);
                return;
            }
            String target = uri + name;
            Path candidate = FilePaths.resolve(s, ex, target);
            if (candidate != null && Files.isRegularFile(candidate)) {
                // nginx's index module: an internal redirect, so "/" → "/index.php" reaches the PHP location.
                ex.internalRedirect(target);
                return;
            }
        }
        if (Files.isDirectory(dir)) {
            if (!AutoindexModule.list(ex, dir)) {
                ex.sendError(HttpResponseStatus.FORBIDDEN, false);
            }
        } else {
            notFound(ex, "\"" + dir + "\" is not found (2: No such file or directory)");
        }
    }

    /** A 404 for a missing file, with nginx's error_log line unless log_not_found is off. */
    private static void notFound(Exchange ex, String what) {
        if (ex.settings().logNotFound()) {
            ex.errorLog().error("*{} {}, client: {}, server: {}, request: \"{} {} {}\", host: \"{}\"", ex.connection(), what,
                    ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(),
                    ex.request().headers().get(HttpHeaderNames.HOST, ""));
        }
        ex.sendError(HttpResponseStatus.NOT_FOUND, false);
    }
}
