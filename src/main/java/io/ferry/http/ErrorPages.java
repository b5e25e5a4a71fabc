package io.ferry.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** nginx-style HTML bodies for the errors Ferry itself answers. */
public final class ErrorPages {
    private ErrorPages() {
    }

    public static ByteBuf body(ByteBufAllocator alloc, HttpResponseStatus status) {
        String line = status.code() + " " + status.reasonPhrase();
        String html = "<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" + line
                + "</h1></center>\r\n<hr><center>ferry</center>\r\n</body>\r\n</html>\r\n";
        ByteBuf buf = alloc.buffer(html.length());
        buf.writeCharSequence(html, StandardCharsets.US_ASCII);
        return buf;
    }
}
