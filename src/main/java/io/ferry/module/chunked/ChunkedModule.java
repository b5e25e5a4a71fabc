package io.ferry.module.chunked;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.http.Exchange;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import java.util.EnumSet;

/**
 * nginx's chunked_transfer_encoding: with it off, an HTTP/1.1 answer of unknown length goes out
 * delimited by closing the connection instead of in chunks (for clients that cannot read chunks).
 * A header filter listed after every filter that may make an answer chunked (gzip, charset).
 */
public final class ChunkedModule implements Module {
    static final Slot<Boolean> SETTINGS = new Slot<>();
    private static final Slot<Boolean> EXPECT_TRAILERS = new Slot<>();

    @Override
    public String name() {
        return "http_chunked_transfer_encoding";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("chunked_transfer_encoding", EnumSet.of(HTTP, SERVER, LOCATION));
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        return level.flag("chunked_transfer_encoding", true);
    }

    /** Whether the request's location lets a response go out in chunks (add_trailer asks before making it so). */
    public static boolean allowed(Exchange ex) {
        return !Boolean.FALSE.equals(ex.settings().module(SETTINGS));
    }

    /**
     * nginx's expect_trailers: the body is followed by trailer fields, so it goes out in chunks. The
     * length is dropped here, after the range filter has seen it (Accept-Ranges, ranges answered).
     */
    public static void expectTrailers(Exchange ex) {
        ex.moduleContext(EXPECT_TRAILERS, Boolean.TRUE);
    }

    @Override
    public HeaderFilter headerFilter() {
        return (ex, response) -> {
            if (Boolean.TRUE.equals(ex.moduleContext(EXPECT_TRAILERS))) {
                response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
                response.headers().set("Transfer-Encoding", "chunked");
                return;
            }
            if (!allowed(ex) && !ex.isSubrequest()
                    && HttpUtil.isTransferEncodingChunked(response)) {
                // without a length or chunks the connection's end delimits the body; prepare sees that and closes
                HttpUtil.setTransferEncodingChunked(response, false);
            }
        };
    }
}
