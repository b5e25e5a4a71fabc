package io.ferry.files;

import io.ferry.http.syntax.HttpDate;
import io.ferry.http.product.ProductModule;
import io.ferry.http.Exchange;
import io.ferry.model.LocationSettings;
import io.ferry.module.range.RangeModule;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Sends one regular file: validators (ETag, Last-Modified), conditional answers (304, 412), the
 * parts the range filter chose (through {@link FileParts}), HEAD.
 */
public final class FileResponse {
    private FileResponse() {
    }

    static void send(Exchange ex, Path file) {
        send(ex, file, file, null);
    }

    /**
     * Sends {@code file} as if it were {@code typedAs} (its Content-Type comes from that name), with
     * {@code contentEncoding} when the file holds an encoded form of it (gzip_static's ".gz").
     */
    public static void send(Exchange ex, Path file, Path typedAs, String contentEncoding) {
        RandomAccessFile raf;
        long length;
        long modified;
        try {
            raf = new RandomAccessFile(file.toFile(), "r");
            length = raf.length();
            modified = Files.getLastModifiedTime(file).toMillis() / 1000;
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            ex.sendError(Files.exists(file) ? HttpResponseStatus.FORBIDDEN : HttpResponseStatus.NOT_FOUND, false);
            return;
        } catch (AccessDeniedException e) {
            ex.sendError(HttpResponseStatus.FORBIDDEN, false);
            return;
        } catch (IOException e) {
            ex.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, false);
            return;
        }
        FileSettings settings = FilesModule.of(ex.settings());
        String etag = settings.etag() ? Preconditions.etag(modified, length) : null;
        String lastModified = HttpDate.format(modified);
        switch (Preconditions.evaluate(ex.request().headers(), etag, modified, settings.ifModifiedSince())) {
            case PRECONDITION_FAILED -> {
                close(raf);
                ex.sendError(HttpResponseStatus.PRECONDITION_FAILED, false);
                return;
            }
            case NOT_MODIFIED -> {
                close(raf);
                HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
                setValidators(res, etag, lastModified);
                ex.prepare(res, false);
                ex.write(res);
                ex.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                        .addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
                return;
            }
            default -> {
            }
        }
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set("Content-Type", contentType(ex.settings(), typedAs));
        if (contentEncoding != null) {
            res.headers().set("Content-Encoding", contentEncoding);
        }
        res.headers().set("Content-Length", length);
        setValidators(res, etag, lastModified);
        RangeModule.allowRanges(ex);
        ex.prepare(res, false);
        FileParts.send(ex, res, raf, 0, length);
    }

    private static void setValidators(HttpResponse res, String etag, String lastModified) {
        res.headers().set("Last-Modified", lastModified);
        if (etag != null) {
            res.headers().set("ETag", etag);
        }
    }

    /** The type of the file's extension in {@code types}, else default_type. */
    static String contentType(LocationSettings s, Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : s.types().get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        return type == null ? s.defaultType() : type;
    }

    private static void close(RandomAccessFile raf) {
        try {
            raf.close();
        } catch (IOException ignored) {
            // nothing was read from it
        }
    }
}
