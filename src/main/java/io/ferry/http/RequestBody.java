package io.ferry.http;

import io.ferry.http.body.BodyModule;
import io.ferry.http.body.BodySettings;
import io.ferry.http.body.SpooledBody;
import io.ferry.http.hook.BodySink;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The request body of one exchange on its way to the content handler: read only as fast as the
 * handler asks (client_body_timeout between reads), bounded by client_max_body_size, held while the
 * access phase waits, discarded when nobody takes it. A handler either takes it as it arrives (a
 * {@link BodySink}; a copy is kept while it fits client_body_buffer_size) or has it read whole first
 * ({@link #buffer}: memory, then a temporary file), as nginx's request buffering does.
 */
final class RequestBody {
    private final Exchange exchange;
    private BodySink sink;
    /** Chunks that arrived while the access phase waited, before any handler took the body. */
    private ArrayDeque<HttpContent> held;
    private boolean complete;
    /** The body broke off (malformed or too large): an error_page location that reads it gets what there was. */
    private boolean failed;
    private long bytes;
    private ScheduledFuture<?> timer;
    /** The body as kept: whole when buffered, else the copy of what the sink took; null until a handler asks. */
    private SpooledBody spool;
    /** Runs once a buffered body is whole; null when the body streams. */
    private Runnable ready;
    /** When discarding after the response must end (nginx's lingering_time); 0 while not discarding. */
    private long discardDeadline;

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
        if (sink != null && !subrequest && spool == null) {
            keep(SpooledBody.kept(settings()));
        }
        if (sink != null && subrequest) {
            // a subrequest has no body: its end comes at once
            sink.onBody(new DefaultLastHttpContent());
        }
        HttpContent c;
        while (sink != null && held != null && (c = held.poll()) != null) {
            deliver(c);
        }
    }

    /**
     * Reads the whole body before {@code whenWhole} runs: memory up to client_body_buffer_size, the
     * rest in a temporary file. A body already read whole (an internal redirect) is kept as it was.
     */
    void buffer(Runnable whenWhole, boolean subrequest) {
        if (subrequest || spool != null && spool.whole()) {
            // a subrequest has no body of its own; a body read whole before (an internal redirect) is kept as it was
            whenWhole.run();
            return;
        }
        keep(SpooledBody.buffered(settings()));
        if (complete || failed) {
            // nothing (more) will arrive: the body is what it is, empty
            endSpool();
            whenWhole.run();
            return;
        }
        ready = whenWhole;
        io.ferry.http.v2.StreamWindow.openForBuffering(exchange.channel(),
                exchange.settings().module(io.ferry.http.v2.Http2Module.SETTINGS).bodyPrereadSize());
        HttpContent c;
        while (held != null && (c = held.poll()) != null && ready != null) {
            deliver(c);
        }
        if (ready != null) {
            requestMore(exchange.settings().clientTimeouts().body().toMillis());
        }
    }

    SpooledBody spool() {
        return spool;
    }

    private void keep(SpooledBody body) {
        if (spool != null) {
            spool.release();
        }
        spool = body;
        exchange.moduleContext(BodyModule.BODY, body);
    }

    private BodySettings settings() {
        return exchange.settings().module(BodyModule.SETTINGS);
    }

    /** A chunk for the handler: into the buffered body, or to the sink with a copy kept while it fits. */
    private void deliver(HttpContent chunk) {
        boolean last = chunk instanceof LastHttpContent;
        try {
            spool.add(ready != null ? chunk.content().retain() : chunk.content().retainedDuplicate());
        } catch (IOException e) {
            spoolFailed(e, chunk);
            return;
        }
        if (ready == null) {
            if (last) {
                endSpool();
            }
            sink.onBody(chunk);
            return;
        }
        chunk.release();
        if (!last) {
            exchange.requestMoreBody();
        } else if (endSpool()) {
            Runnable r = ready;
            ready = null;
            r.run();
        }
    }

    private boolean endSpool() {
        try {
            spool.end();
            return true;
        } catch (IOException e) {
            spoolFailed(e, null);
            return false;
        }
    }

    /** nginx's crit line for a temporary file it cannot write, and a 500. */
    private void spoolFailed(IOException e, HttpContent chunk) {
        if (chunk != null) {
            ReferenceCountUtil.release(chunk);
        }
        exchange.errorLog().error("*{} cannot write client request body to a temporary file ({}), client: {}",
                exchange.connection(), e.getMessage(), exchange.remoteAddr());
        ready = null;
        exchange.bodyFailed(HttpResponseStatus.INTERNAL_SERVER_ERROR);
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
        exchange.errorLog().info("*{} client timed out (110: Connection timed out) while reading client request body, client: {}",
                exchange.connection(), exchange.remoteAddr());
        exchange.timedOut();
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
        if (discardDeadline != 0) {
            discarded(chunk);
            return;
        }
        bytes += chunk.content().readableBytes();
        if (chunk.decoderResult().isFailure() || (maxSize > 0 && bytes > maxSize)) {
            ReferenceCountUtil.release(chunk);
            complete = false;
            failed = true;
            exchange.bodyFailed(chunk.decoderResult().isFailure()
                    ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        boolean responseDone = exchange.responseDone();
        if ((sink != null || ready != null) && !responseDone) {
            deliver(chunk);
        } else if (held != null && !responseDone) {
            held.add(chunk);
        } else {
            ReferenceCountUtil.release(chunk);
        }
        if (complete && responseDone) {
            exchange.bodyEndedAfterResponse();
        }
    }

    /**
     * The response went out before the body was read: the rest is read and dropped so the
     * connection can serve the next request (nginx's discarded request body). Each read may wait
     * lingering_timeout, all of them lingering_time; past that, or on a malformed
     * chunk, the connection closes. No client_max_body_size applies to bytes nobody keeps.
     */
    void discardAfterResponse() {
        discardDeadline = System.nanoTime() + lingering().lingeringTime().toNanos();
        readDiscarded();
    }

    private void readDiscarded() {
        long left = Math.min(discardDeadline - System.nanoTime(), lingering().lingeringTimeout().toNanos());
        if (left <= 0) {
            exchange.context().close();
            return;
        }
        timer = exchange.context().executor().schedule(() -> {
            timer = null;
            exchange.context().close();
        }, left, TimeUnit.NANOSECONDS);
        exchange.context().read();
    }

    private io.ferry.http.conn.ConnectionSettings lingering() {
        return exchange.settings().module(io.ferry.http.conn.ConnectionModule.SETTINGS);
    }

    private void discarded(HttpContent chunk) {
        boolean bad = chunk.decoderResult().isFailure();
        ReferenceCountUtil.release(chunk);
        if (bad) {
            exchange.errorLog().info("*{} client sent invalid chunked body while discarding it, client: {}",
                    exchange.connection(), exchange.remoteAddr());
            exchange.context().close();
        } else if (complete) {
            discardDeadline = 0;
            exchange.bodyEndedAfterResponse();
        } else {
            readDiscarded();
        }
    }

    /** The exchange is over: the kept body goes, its temporary file with it. */
    void release() {
        ready = null;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (spool != null) {
            spool.release();
        }
    }

    void releaseHeld() {
        HttpContent c;
        while (held != null && (c = held.poll()) != null) {
            c.release();
        }
    }
}
