package io.ferry.module.autoindex;

import io.ferry.http.Exchange;
import io.ferry.variable.Variables;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** Reads a directory and answers with its page: hidden names left out, links followed, nginx's order. */
final class Listing {
    /** The bytes a name has on disk: the JVM decoded them with this charset. */
    private static final Charset NAMES = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private Listing() {
    }

    static void send(Exchange ex, Path dir, AutoindexSettings s) {
        AutoindexSettings.Format format = s.format();
        String callback = null;
        if (format == AutoindexSettings.Format.JSONP) {
            callback = Variables.arg(ex.args(), "callback");
            if (callback != null && !validCallback(callback)) {
                ex.errorLog().info("*{} client sent {} callback name: \"{}\"", ex.connection(),
                        callback.length() > 128 ? "too long" : "invalid", callback);
                ex.sendError(HttpResponseStatus.BAD_REQUEST, false);
                return;
            }
            if (callback == null || callback.isEmpty()) {
                format = AutoindexSettings.Format.JSON;
            }
        }
        List<AutoindexPage.Entry> entries;
        try {
            entries = read(dir);
        } catch (AccessDeniedException e) {
            ex.errorLog().error("*{} opendir() \"{}\" failed (13: Permission denied)", ex.connection(), dir);
            ex.sendError(HttpResponseStatus.FORBIDDEN, false);
            return;
        } catch (NoSuchFileException | NotDirectoryException e) {
            ex.errorLog().error("*{} opendir() \"{}\" failed (2: No such file or directory)", ex.connection(), dir);
            ex.sendError(HttpResponseStatus.NOT_FOUND, false);
            return;
        } catch (IOException e) {
            ex.errorLog().error("*{} opendir() \"{}\" failed ({})", ex.connection(), dir, e.getMessage());
            ex.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, false);
            return;
        }
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set("Content-Type", switch (format) {
            case JSON -> "application/json";
            case JSONP -> "application/javascript";
            case XML -> "text/xml; charset=utf-8";
            case HTML -> "text/html";
        });
        // as nginx, the head goes before the page is made: its length is not known
        if (!ex.isHead()) {
            res.headers().set("Transfer-Encoding", "chunked");
        }
        ex.prepare(res, false);
        ex.write(res);
        if (ex.isHead()) {
            ex.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
            return;
        }
        byte[] page = switch (format) {
            case JSON, JSONP -> AutoindexPage.json(entries, callback == null || callback.isEmpty() ? null : callback);
            case XML -> AutoindexPage.xml(entries);
            case HTML -> AutoindexPage.html(ex.uri().getBytes(StandardCharsets.UTF_8), entries,
                    utf8(res.headers().get("Content-Type")), s.exactSize(),
                    s.localtime() ? ZoneId.systemDefault().getRules().getOffset(Instant.now()) : java.time.ZoneOffset.UTC);
        };
        ex.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(page)))
                .addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
    }

    static List<AutoindexPage.Entry> read(Path dir) throws IOException {
        List<AutoindexPage.Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = attributes(p);
                } catch (AccessDeniedException e) {
                    continue;
                }
                entries.add(new AutoindexPage.Entry(name.getBytes(NAMES), a.isDirectory(), a.isRegularFile(),
                        a.lastModifiedTime().toMillis() / 1000, a.size()));
            }
        }
        entries.sort(AutoindexPage.ORDER);
        return entries;
    }

    /** What a name leads to; a link that leads nowhere (or in a loop) is shown as itself, as nginx. */
    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (AccessDeniedException e) {
            throw e;
        } catch (NoSuchFileException e) {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("symbolic links")) {
                return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            }
            throw e;
        }
    }

    /** The response's charset (after the charset filter) is utf-8: names are cut by characters then. */
    private static boolean utf8(String contentType) {
        if (contentType == null) {
            return false;
        }
        int at = contentType.toLowerCase(java.util.Locale.ROOT).indexOf("charset=");
        return at >= 0 && contentType.substring(at + 8).trim().equalsIgnoreCase("utf-8");
    }

    /** nginx's jsonp callback: at most 128 letters, digits, '_' and '.'. */
    static boolean validCallback(String callback) {
        return callback.length() <= 128 && callback.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9' || c == '_' || c == '.');
    }
}
