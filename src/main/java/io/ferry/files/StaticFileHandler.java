package io.ferry.files;

import io.ferry.http.ContentHandler;
import io.ferry.http.Exchange;
import io.ferry.model.LocationSettings;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Serves files under {@code root}: index files for directories, a 301 to the slash form of a
 * directory, ETag/Last-Modified with 304, zero-copy FileRegion on plain connections and chunked
 * reads under TLS (where bytes must pass through the cipher anyway).
 */
public final class StaticFileHandler implements ContentHandler {
    public static final StaticFileHandler INSTANCE = new StaticFileHandler();

    @Override
    public void handle(Exchange ex) {
        HttpMethod method = ex.request().method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            ex.sendError(HttpResponseStatus.METHOD_NOT_ALLOWED, false);
            return;
        }
        LocationSettings s = ex.settings();
        String uri = ex.uri();
        Path root = s.root();
        Path file = root.resolve(uri.substring(1)).normalize();
        if (!file.startsWith(root)) {
            ex.sendError(HttpResponseStatus.FORBIDDEN, false);
            return;
        }
        if (Files.isDirectory(file)) {
            if (!uri.endsWith("/")) {
                String args = ex.args();
                ex.sendRedirect(HttpResponseStatus.MOVED_PERMANENTLY, uri + "/" + (args == null ? "" : "?" + args));
                return;
            }
            Path index = null;
            for (String name : s.index()) {
                Path candidate = file.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    index = candidate;
                    break;
                }
            }
            if (index == null) {
                ex.sendError(HttpResponseStatus.FORBIDDEN, false);
                return;
            }
            file = index;
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
            ex.sendError(HttpResponseStatus.NOT_FOUND, false);
            return;
        }
        if (!Files.isReadable(file)) {
            ex.sendError(HttpResponseStatus.FORBIDDEN, false);
            return;
        }
        send(ex, file);
    }

    private static void send(Exchange ex, Path file) {
        RandomAccessFile raf;
        long length;
        long modified;
        try {
            raf = new RandomAccessFile(file.toFile(), "r");
            length = raf.length();
            modified = Files.getLastModifiedTime(file).toMillis() / 1000;
        } catch (IOException e) {
            ex.sendError(HttpResponseStatus.NOT_FOUND, false);
            return;
        }
        String etag = "\"" + Long.toHexString(modified) + "-" + Long.toHexString(length) + "\"";
        if (notModified(ex, etag, modified)) {
            close(raf);
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            res.headers().set("ETag", etag);
            res.headers().set("Last-Modified", httpDate(modified));
            ex.prepare(res, false);
            ex.context().write(res);
            ex.context().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
            return;
        }
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set("Content-Length", length);
        res.headers().set("Content-Type", contentType(ex.settings(), file));
        res.headers().set("Last-Modified", httpDate(modified));
        res.headers().set("ETag", etag);
        res.headers().set("Accept-Ranges", "bytes");
        ex.prepare(res, false);
        ex.context().write(res);
        ChannelFuture last;
        if (ex.isHead()) {
            close(raf);
            last = ex.context().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (ex.channel().pipeline().get(SslHandler.class) == null) {
            ex.context().write(new DefaultFileRegion(raf.getChannel(), 0, length));
            last = ex.context().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            try {
                last = ex.context().writeAndFlush(new HttpChunkedInput(new ChunkedFile(raf, 0, length, 64 * 1024)));
            } catch (IOException e) {
                close(raf);
                ex.abort();
                return;
            }
        }
        last.addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
    }

    private static boolean notModified(Exchange ex, String etag, long modified) {
        String inm = ex.request().headers().get(HttpHeaderNames.IF_NONE_MATCH);
        if (inm != null) {
            return inm.equals("*") || inm.contains(etag);
        }
        String ims = ex.request().headers().get(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (ims == null) {
            return false;
        }
        try {
            return ZonedDateTime.parse(ims, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond() >= modified;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String contentType(LocationSettings s, Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : s.types().get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        return type == null ? s.defaultType() : type;
    }

    private static String httpDate(long epochSecond) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC));
    }

    private static void close(RandomAccessFile raf) {
        try {
            raf.close();
        } catch (IOException ignored) {
            // nothing was read from it
        }
    }
}
