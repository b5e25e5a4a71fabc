package io.ferry.http;

import io.ferry.http.hook.BodySink;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The request body of one exchange on its way to the content handler: read only as fast as the
 * handler asks (client_body_timeout between reads), bounded by client_max_body_size, held while the
 * access phase waits, discarded when nobody takes it.
 */
final class RequestBody {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.ferry.error");
    private final Exchange exchange;
    private BodySink sink;
    /** Chunks that arrived while the access phase waited, before any handler took the body. */
    private ArrayDeque<HttpContent> held;
    private boolean complete;
    private long bytes;
    private ScheduledFuture<?> timer;

    RequestBody(Exchange exchange) {
        this.exchange = exchange;
    }

    /** A subrequest's: there is none, so it is complete from the start. */
    void noBody() {
        complete = true;
    }

    boolean complete() {
        return complete;
    }

    void hold() {
        if (held == null) {
            held = new ArrayDeque<>(2);
        }
    }

    void sink(BodySink sink, boolean subrequest) {
        this.sink = sink;
        if (sink != null && subrequest) {
            // a subrequest has no body: its end comes at once
            sink.onBody(new DefaultLastHttpContent());
        }
        HttpContent c;
        while (sink != null && held != null && (c = held.poll()) != null) {
            sink.onBody(c);
        }
    }

    void requestMore(long timeoutMillis) {
        if (!complete) {
            if (timer == null) {
                timer = exchange.context().executor().schedule(this::timedOut, timeoutMillis, TimeUnit.MILLISECONDS);
            }
            exchange.context().read();
        }
    }

    /** client_body_timeout: no body bytes between two reads for that long. */
    private void timedOut() {
        timer = null;
        if (complete || exchange.responseDone()) {
            return;
        }
        LOG.info("*{} client timed out (110: Connection timed out) while reading client request body, client: {}",
                exchange.connection(), exchange.remoteAddr());
        exchange.bodyFailed(HttpResponseStatus.REQUEST_TIMEOUT);
    }

    void onBody(HttpContent chunk, long maxSize) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (chunk instanceof LastHttpContent) {
            complete = true;
        }
        bytes += chunk.content().readableBytes();
        if (chunk.decoderResult().isFailure() || (maxSize > 0 && bytes > maxSize)) {
            ReferenceCountUtil.release(chunk);
            complete = false;
            exchange.bodyFailed(chunk.decoderResult().isFailure()
                    ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        boolean responseDone = exchange.responseDone();
        if (sink != null && !responseDone) {
            sink.onBody(chunk);
        } else if (held != null && !responseDone) {
            held.add(chunk);
        } else {
            ReferenceCountUtil.release(chunk);
        }
        if (complete && responseDone) {
            exchange.bodyEndedAfterResponse();
        }
    }

    void releaseHeld() {
        HttpContent c;
        while (held != null && (c = held.poll()) != null) {
            c.release();
        }
    }
}
