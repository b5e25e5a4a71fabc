package io.ferry.module.ssi;

import io.ferry.http.Exchange;
import io.ferry.http.hook.SubrequestSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One include's subrequest: its body waits here until the document reaches it (nginx's postponed
 * output), or, with set=, becomes an SSI variable once it ended. With stub=, the body is held until
 * the end: an error or an empty body is replaced by the block, run through the SSI of the
 * subrequest's location as nginx sends it down the subrequest's filters.
 */
final class SsiInclude implements SubrequestSink {
    private final SsiFilter filter;
    /** The variable the body goes to instead of the document, or null. */
    private final String variable;
    /** The block standing in for an error or an empty body, or null. */
    private byte[] stub;
    private final ArrayDeque<ByteBuf> body = new ArrayDeque<>();
    private long length;
    private CompositeByteBuf value;
    private boolean done;
    private int status;
    private boolean closed;
    /** The stub's own SSI pass while it still has output to give, or null. */
    private SsiFilter replay;
    private ByteBufAllocator alloc;

    SsiInclude(SsiFilter filter, String variable, byte[] stub) {
        this.filter = filter;
        this.variable = variable;
        this.stub = stub;
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
        length += chunk.readableBytes();
        if (variable == null) {
            body.add(chunk);
        } else {
            if (value == null) {
                value = Unpooled.compositeBuffer(Integer.MAX_VALUE);
            }
            value.addComponent(true, chunk);
        }
        if (stub == null) {
            filter.wake();
        }
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
        if (stub != null && (status >= 300 || !complete || length == 0)) {
            dropBody();
            replay(subrequest, Unpooled.wrappedBuffer(stub));
        }
        stub = null;
        filter.wake();
    }

    /** The block goes out as the subrequest's own output: through its location's SSI when that applies. */
    private void replay(Exchange subrequest, ByteBuf content) {
        SsiSettings s = SsiModule.SETTINGS.in(subrequest.settings().modules());
        if (!s.enabled() || !s.processes(filter.mediaType())) {
            body.add(content);
            return;
        }
        replay = new SsiFilter(subrequest, s, filter.mediaType());
        alloc = subrequest.context().alloc();
        add(replay.filter(content, alloc));
        pump();
    }

    private void pump() {
        while (replay != null && replay.pending()) {
            ByteBuf piece = replay.drain(alloc);
            if (piece == null) {
                replay.whenReady(() -> {
                    pump();
                    filter.wake();
                });
                return;
            }
            add(piece);
        }
        if (replay != null) {
            add(replay.finish(alloc));
            replay = null;
        }
    }

    private void add(ByteBuf piece) {
        if (closed) {
            piece.release();
        } else if (piece.isReadable()) {
            body.add(piece);
        } else {
            piece.release();
        }
    }

    /** The subrequest could not start: it counts as ended, with nothing to show. */
    void failed() {
        done = true;
        stub = null;
    }

    boolean done() {
        return done && replay == null;
    }

    /** The body that arrived so far, taken out, into {@code out}; a stubbed one only once it is known to stay. */
    void takeInto(CompositeByteBuf out) {
        if (stub != null) {
            return;
        }
        while (!body.isEmpty()) {
            out.addComponent(true, body.poll());
        }
    }

    private void dropBody() {
        body.forEach(ByteBuf::release);
        body.clear();
    }

    /** The response is gone: what is held is let go, and what still comes is dropped. */
    void release() {
        dropBody();
        if (value != null) {
            value.release();
            value = null;
        }
        if (replay != null) {
            replay.abandon();
            replay = null;
        }
        closed = true;
    }
}
