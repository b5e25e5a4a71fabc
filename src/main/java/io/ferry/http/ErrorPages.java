package io.ferry.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** nginx-style HTML bodies for the errors Ferry itself answers. */
public final class ErrorPages {
    /** Where nginx's page titles (ngx_http_special_response.c) differ from RFC 9110's reason phrases. */
    private static final Map<Integer, String> NGINX_TITLES = Map.of(
            401, "Authorization Required",
            405, "Not Allowed",
            408, "Request Time-out",
            413, "Request Entity Too Large",
            414, "Request-URI Too Large",
            416, "Requested Range Not Satisfiable",
            503, "Service Temporarily Unavailable",
            504, "Gateway Time-out");

    private ErrorPages() {
    }

    /** The page for a status, signed with the product token of the level that answers. */
    public static ByteBuf body(ByteBufAllocator alloc, HttpResponseStatus status, String product) {
        String line = status.code() + " " + NGINX_TITLES.getOrDefault(status.code(), status.reasonPhrase());
        return page(alloc, line, line, "", product);
    }

    /** nginx's pages for its 495 and 496: a 400 whose title and second line say what was wrong with the certificate. */
    public static ByteBuf certificateError(ByteBufAllocator alloc, int code, String product) {
        String why = code == 496 ? "No required SSL certificate was sent" : "The SSL certificate error";
        return page(alloc, "400 " + why, "400 Bad Request", "<center>" + why + "</center>\r\n", product);
    }

    private static ByteBuf page(ByteBufAllocator alloc, String title, String heading, String detail, String product) {
        String html = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + heading
                + "</h1></center>\r\n" + detail + "<hr><center>" + product + "</center>\r\n</body>\r\n</html>\r\n";
        ByteBuf buf = alloc.buffer(html.length());
        buf.writeCharSequence(html, StandardCharsets.US_ASCII);
        return buf;
    }
}
