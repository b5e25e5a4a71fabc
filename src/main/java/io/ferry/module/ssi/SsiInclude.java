package io.ferry.module.ssi;

import io.ferry.http.Exchange;
import io.ferry.http.hook.SubrequestSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One include's subrequest: its body waits here until the document reaches it (nginx's postponed
 * output), or, with set=, becomes an SSI variable once it ended.
 */
final class SsiInclude implements SubrequestSink {
    private final SsiFilter filter;
    /** The variable the body goes to instead of the document, or null. */
    private final String variable;
    private final ArrayDeque<ByteBuf> body = new ArrayDeque<>();
    private CompositeByteBuf value;
    private boolean done;
    private int status;
    private boolean closed;

    SsiInclude(SsiFilter filter, String variable) {
        this.filter = filter;
        this.variable = variable;
    }

    @Override
    public boolean wantsBody() {
        return true;
    }

    @Override
    public void head(HttpResponse head) {
        status = head.status().code();
    }

    @Override
    public void body(ByteBuf chunk) {
        if (closed) {
            chunk.release();
            return;
        }
        if (variable == null) {
            body.add(chunk);
        } else {
            if (value == null) {
                value = Unpooled.compositeBuffer(Integer.MAX_VALUE);
            }
            value.addComponent(true, chunk);
        }
        filter.wake();
    }

    @Override
    public void done(Exchange subrequest, boolean complete) {
        done = true;
        if (closed) {
            return;
        }
        if (variable != null) {
            // nginx keeps the body of a successful answer only (ngx_http_ssi_set_variable)
            boolean kept = complete && status < 300 && value != null;
            filter.values().set(variable, kept ? value.toString(StandardCharsets.UTF_8) : "");
            release();
        }
        filter.wake();
    }

    /** The subrequest could not start: it counts as ended, with nothing to show. */
    void failed() {
        done = true;
    }

    boolean done() {
        return done;
    }

    /** The body that arrived so far, taken out, into {@code out}. */
    void takeInto(CompositeByteBuf out) {
        while (!body.isEmpty()) {
            out.addComponent(true, body.poll());
        }
    }

    /** The response is gone: what is held is let go, and what still comes is dropped. */
    void release() {
        body.forEach(ByteBuf::release);
        body.clear();
        if (value != null) {
            value.release();
            value = null;
        }
        closed = true;
    }
}
