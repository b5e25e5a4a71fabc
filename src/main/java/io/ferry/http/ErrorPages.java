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

    public static ByteBuf body(ByteBufAllocator alloc, HttpResponseStatus status) {
        String line = status.code() + " " + NGINX_TITLES.getOrDefault(status.code(), status.reasonPhrase());
        String html = "<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" + line
                + "</h1></center>\r\n<hr><center>ferry</center>\r\n</body>\r\n</html>\r\n";
        ByteBuf buf = alloc.buffer(html.length());
        buf.writeCharSequence(html, StandardCharsets.US_ASCII);
        return buf;
    }
}
