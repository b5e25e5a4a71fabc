package io.ferry.http.hook;

import io.ferry.http.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Where a subrequest's response goes instead of the client: its head (status and headers, after
 * the header filters), its body unless the sink only wants the head (nginx's header_only, what
 * auth_request uses), and its end. {@link #done} runs in a later task of the connection's event
 * loop, never inside the code that started the subrequest.
 */
public interface SubrequestSink {
    /** Whether the body is wanted; when false it is dropped unread where possible. */
    default boolean wantsBody() {
        return false;
    }

    /** The response head, as it would have been written to the client. */
    default void head(HttpResponse head) {
    }

    /** A piece of the body, in order; the sink owns it. Only called when {@link #wantsBody()}. */
    default void body(ByteBuf chunk) {
        chunk.release();
    }

    /**
     * The subrequest ended: {@code complete} is false when its response was cut off (an upstream
     * failing mid-body). Its status, headers and variables stay readable on {@code subrequest}.
     */
    void done(Exchange subrequest, boolean complete);
}
