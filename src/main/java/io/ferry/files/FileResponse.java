package io.ferry.files;

import io.ferry.http.ErrorPages;
import io.ferry.http.HttpDate;
import io.ferry.http.product.ProductModule;
import io.ferry.http.Exchange;
import io.ferry.model.LocationSettings;
import io.ferry.net.Pacer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Sends one regular file: validators (ETag, Last-Modified), conditional answers (304, 412), a
 * single Range (206, or 416 with {@code Content-Range: bytes *}/LEN), HEAD, and the bytes
 * themselves with a zero-copy FileRegion on plain connections, or 64 KiB chunks under TLS or when
 * a body filter rewrites them.
 */
public final class FileResponse {
    private static final int CHUNK = 64 * 1024;

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
        ByteRange range = null;
        String rangeHeader = ex.request().headers().get(HttpHeaderNames.RANGE);
        if (rangeHeader != null && Preconditions.rangeApplies(ex.request().headers(), etag, modified)) {
            range = ByteRange.parse(rangeHeader, length);
        }
        if (range == ByteRange.UNSATISFIABLE) {
            close(raf);
            unsatisfiable(ex, length);
            return;
        }
        HttpResponse res;
        long start = 0;
        long count = length;
        if (range != null) {
            res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
            res.headers().set("Content-Range", range.contentRange(length));
            start = range.start();
            count = range.length();
        } else {
            res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        }
        res.headers().set("Content-Type", contentType(ex.settings(), typedAs));
        if (contentEncoding != null) {
            res.headers().set("Content-Encoding", contentEncoding);
        }
        res.headers().set("Content-Length", count);
        setValidators(res, etag, lastModified);
        res.headers().set("Accept-Ranges", "bytes");
        ex.prepare(res, false);
        ex.write(res);
        ChannelFuture last;
        if (ex.isHead() || count == 0) {
            close(raf);
            last = ex.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (ex.zeroCopy()) {
            ex.write(new Pacer.Region(raf.getChannel(), start, count));
            last = ex.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            try {
                last = ex.writeAndFlush(new HttpChunkedInput(new ChunkedFile(raf, start, count, CHUNK)));
            } catch (IOException e) {
                close(raf);
                ex.abort();
                return;
            }
        }
        last.addListener((ChannelFutureListener) f -> ex.complete(f.isSuccess()));
    }

    private static void setValidators(HttpResponse res, String etag, String lastModified) {
        res.headers().set("Last-Modified", lastModified);
        if (etag != null) {
            res.headers().set("ETag", etag);
        }
    }

    /** 416 with the error page and the length the client may ask within. */
    private static void unsatisfiable(Exchange ex, long length) {
        HttpResponseStatus status = HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
        ByteBuf body = ErrorPages.body(ex.context().alloc(), status, ProductModule.product(ex.settings()));
        int bodyLength = body.readableBytes();
        if (ex.isHead()) {
            body.release();
            body = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        res.headers().set("Content-Type", "text/html");
        res.headers().set("Content-Length", bodyLength);
        res.headers().set("Content-Range", "bytes */" + length);
        ex.sendFull(res, false);
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
