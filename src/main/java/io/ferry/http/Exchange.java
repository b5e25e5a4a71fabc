package io.ferry.http;

import io.ferry.http.conn.ConnectionStates;

import io.ferry.http.hook.ContentHandlers;
import io.ferry.http.hook.BodySink;
import io.ferry.http.hook.SubrequestSink;
import io.ferry.log.ErrorLogs;
import io.ferry.log.LogModule;
import io.ferry.model.LocationSettings;
import io.ferry.route.ServerSelector;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * One request/response on a downstream connection: its lifecycle (internal redirects, subrequests,
 * completion, abort) and the request body hand-off ({@link RequestBody}); the responses Ferry makes
 * itself (error pages, redirects) are {@link SpecialResponses}, the response side every handler
 * shares {@link ExchangeResponse}. Routing and the request phases are
 * {@link RequestPhases}; the variables the request exposes are {@link ExchangeVariables}.
 */
public final class Exchange extends SpecialResponses {
    /** The version of a request that came on an HTTP/2 stream: $server_protocol says "HTTP/2.0". */
    public static final io.netty.handler.codec.http.HttpVersion HTTP_2 =
            new io.netty.handler.codec.http.HttpVersion("HTTP", 2, 0, true);

    private final RequestPhases phases = new RequestPhases(this);
    private final RequestBody body = new RequestBody(this);
    private Runnable onAbort;
    private List<Runnable> endActions;
    /** Subrequests still running, cancelled when this exchange is cut off (its handler's onAbort is its own). */
    private List<Exchange> children;
    /** Work the request's end waits for ({@link #holdEnd}), and whether its response is done and waiting. */
    private int endHolds;
    private boolean endWaiting;
    private final Exchange parent;
    private boolean responseDone;
    private boolean targetRewritten;
    private boolean watchingClient;
    private boolean pipelined;

    Exchange(ChannelHandlerContext ctx, HttpConnectionHandler connection, HttpRequest request, boolean secure, int requestNumber,
             ContentHandlers handlers) {
        super(ctx, connection, request, secure, requestNumber, handlers, null);
        this.parent = null;
    }

    private Exchange(Exchange parent, HttpRequest request, Subrequest subrequest) {
        super(parent.ctx, parent.connection, request, parent.secure, parent.requestNumber, parent.handlers, subrequest);
        body.noBody();
        this.parent = parent;
        this.server = parent.server;
        this.settings = parent.server.fallback();
        this.target = parent.target;
        remoteAddr(parent.remoteAddr());
        remotePort(parent.remotePort());
    }

    /**
     * Starts a subrequest for {@code uri} (and {@code args}, may be null) in this request's server,
     * as nginx's ngx_http_subrequest: the parent's method and headers, no body, internal (so
     * `internal` locations serve it), from the server rewrite phase on; its response goes to
     * {@code sink}. Returns null when subrequests nest deeper than nginx allows (the error is logged).
     */
    public Exchange subrequest(String uri, String args, SubrequestSink sink) {
        int depth = subrequest == null ? 1 : subrequest.depth + 1;
        if (depth > Subrequest.MAX_DEPTH) {
            errorLog().error("*{} subrequests cycle while processing \"{}\"", connection(), uri);
            return null;
        }
        HttpRequest copy = new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(), request.headers().copy());
        Exchange child = new Exchange(this, copy, new Subrequest(ctx, sink, depth));
        if (children == null) {
            children = new ArrayList<>(1);
        }
        children.add(child);
        child.rewriteTarget(uri, args);
        child.phases.startSubrequest();
        return child;
    }

    /** Whether the client sent this request before the previous one's answer ($pipe). */
    public boolean pipelined() {
        return pipelined;
    }

    void markPipelined() {
        pipelined = true;
    }

    /** The server's connection counters (stub_status's, and its $connections_* variables). */
    public ConnectionStates connectionStates() {
        return connection.states();
    }

    /** A subrequest has its main request's id: nginx's subrequests share the parent's variable values. */
    @Override
    public String requestId() {
        return parent != null ? parent.requestId() : super.requestId();
    }

    /** Whether this exchange is a subrequest, whose response goes to a sink rather than the client. */
    public boolean isSubrequest() {
        return subrequest != null;
    }

    /** An access check that answered AGAIN decided: the access phase runs again, and goes on from there. */
    public void resumeAccess() {
        if (!responseDone) {
            phases.resumeAccess();
        }
    }

    /** A pre-access hook that answered AGAIN is done waiting: the pre-access hooks run again, and the phases go on. */
    public void resumePreAccess() {
        if (!responseDone) {
            phases.resumePreAccess();
        }
    }

    /** The access phase waits: body bytes that arrive meanwhile are kept for the handler that comes after it. */
    void holdBody() {
        body.hold();
    }

    void dispatch(ServerSelector sites) {
        phases.start(sites);
    }

    ContentHandlers handlers() {
        return handlers;
    }

    /** An internal redirect to a URI (error_page, try_files, index): the request starts over at the server phase. */
    public void internalRedirect(String uri) {
        phases.internalRedirect(uri);
    }

    /** An internal redirect to "@name": straight to that location's rewrite phase. */
    void namedRedirect(String name) {
        phases.namedRedirect(name);
    }

    /** A rewrite or try_files changed $uri (and maybe $args); $request_uri stays what the client sent. */
    public void rewriteTarget(String path, String query) {
        // a request refused while its headers were read has no target of its own; error_page still redirects it
        target = target == null ? new RequestTarget("", path, query, null)
                : new RequestTarget(target.raw(), path, query, target.absoluteHost());
        targetRewritten = true;
    }

    /**
     * Assigns a variable as auth_request_set does: $args through its set handler (a new query, the
     * request line kept, as nginx's r->args), any other name as a per-request variable.
     */
    public void setVariable(String name, String value) {
        if (name.equals("args")) {
            target = new RequestTarget(target.raw(), target.path(), value, target.absoluteHost());
        } else {
            setUserVariable(name, value);
        }
    }

    /** Whether $uri/$args differ from the request line (proxy_pass without URI then sends them, as nginx). */
    public boolean targetRewritten() {
        return targetRewritten;
    }

    /** A rewrite with break changed $uri inside the location: a proxy_pass URI part no longer replaces its prefix (nginx). */
    public boolean uriLeftLocation() {
        return phases.uriLeftLocation();
    }

    /** An `if` inside the location matched: its block's configuration serves the request from now on. */
    public void useIfBlock(LocationSettings block) {
        phases.useIfBlock(block);
    }

    /** The matched location's path ("" at the server level), for metrics labels. */
    public String locationName() {
        return phases.locationName();
    }

    /**
     * Where this request's error lines go: the error_log lines of the level that serves it (its
     * location, server or http), else the main level's (nginx's r->connection->log).
     */
    public org.slf4j.Logger errorLog() {
        return settings == null ? ErrorLogs.route(null) : LogModule.errorLog(settings);
    }


    public boolean requestComplete() {
        return body.complete();
    }

    /** Routes the body to {@code sink}; until a sink is set, chunks are discarded. */
    public void bodySink(BodySink sink) {
        body.sink(sink, subrequest != null);
    }

    /**
     * Reads the whole body before {@code whenWhole} runs (nginx's request buffering): memory up to
     * client_body_buffer_size, then a temporary file; a failure answers the client instead.
     */
    public void readBody(Runnable whenWhole) {
        if (subrequest == null) {
            continueIfExpected();
        }
        body.buffer(whenWhole, subrequest != null);
    }

    /** The body as kept so far: whole after {@link #readBody}, a bounded copy while it streams; or null. */
    public io.ferry.http.body.SpooledBody keptBody() {
        return body.spool();
    }

    /** The exchange is logged and over: its kept body and temporary file go. */
    void releaseBody() {
        body.release();
    }

    /**
     * nginx's check for a broken connection while an upstream works on the request: the client's
     * end of stream (a close or a half-close) cuts the request off with 499. Not for an upgrade
     * request, whose next bytes belong to the tunnel rather than to HTTP.
     */
    public void watchClientClose() {
        if (subrequest == null && !io.ferry.websocket.WebSocketUpgrade.isRequested(request)) {
            watchingClient = true;
            if (requestComplete()) {
                connection.readAhead();
            }
        }
    }

    /** Whether the client's end of stream ends this exchange (see {@link #watchClientClose}). */
    boolean watchesClient() {
        return watchingClient && !responseDone;
    }

    /** Called when the exchange is cut off (client gone, body too large) so the handler can release upstream resources. */
    public void onAbort(Runnable onAbort) {
        this.onAbort = onAbort;
    }

    /**
     * Runs {@code action} once the request is over, however it ended (nginx's request pool cleanup):
     * its response written, the client gone, or the WebSocket tunnel it became closed.
     */
    public void onEnd(Runnable action) {
        if (endActions == null) {
            endActions = new java.util.ArrayList<>(1);
        }
        endActions.add(action);
    }

    void runEndActions() {
        List<Runnable> actions = endActions;
        endActions = null;
        if (actions != null) {
            actions.forEach(Runnable::run);
        }
    }

    /** Asks the client for the next body chunk: body bytes are read only as fast as they are forwarded. */
    public void requestMoreBody() {
        body.requestMore(settings.clientTimeouts().body().toMillis());
    }

    void onBody(HttpContent chunk) {
        body.onBody(chunk, settings.clientMaxBodySize());
    }

    /** The request body failed (timed out, malformed, too large): the handler lets go, and the client gets the status. */
    void bodyFailed(HttpResponseStatus status) {
        if (responseStarted) {
            abort();
        } else {
            abortHandler();
            if (status == HttpResponseStatus.REQUEST_TIMEOUT) {
                sendPage(status, null, true);
            } else {
                sendError(status, true);
            }
        }
    }

    boolean responseDone() {
        return responseDone;
    }

    /** The last body byte arrived after the response ended: now the connection may go on. */
    void bodyEndedAfterResponse() {
        if (endHolds > 0) {
            endWaiting = true;
            return;
        }
        connection.finished(this, keepAlive);
    }

    void downstreamClosed() {
        if (!responseDone) {
            responseDone = true;
            clientGone = !responseStarted;
            abortHandler();
        }
    }

    private void abortHandler() {
        dropDeferred();
        body.releaseHeld();
        if (children != null) {
            List.copyOf(children).forEach(Exchange::cancel);
            children = null;
        }
        Runnable r = onAbort;
        onAbort = null;
        if (r != null) {
            r.run();
        }
    }

    /** Ends the exchange after its last byte was written; {@code reusable} false closes the connection. */
    public void complete(boolean reusable) {
        if (responseDone) {
            return;
        }
        responseDone = true;
        onAbort = null;
        body.releaseHeld();
        if (subrequest != null) {
            leaveParent();
            connection.subrequestEnded(this);
            subrequest.finished(this, reusable);
            return;
        }
        keepAlive &= reusable;
        if (endHolds > 0) {
            endWaiting = true;
            return;
        }
        end();
    }

    private void end() {
        if (!keepAlive) {
            connection.finished(this, false);
        } else if (body.complete() || connection.multiplexed()) {
            // an HTTP/2 stream's unread body is refused by its end, not read to be discarded
            connection.finished(this, true);
        } else if (!expectsNoBody()) {
            body.discardAfterResponse();
        }
        // else: the end-of-body marker is still in flight; onBody finishes the exchange.
    }

    /**
     * Keeps this request from ending, its connection from closing or going on to the next
     * request, until the returned release runs (once, on the event loop), even after its response
     * was sent: nginx's main request waits so for a background subrequest (a cache update), which
     * is why a client that reads until the end sees the update done.
     */
    public Runnable holdEnd() {
        endHolds++;
        boolean[] released = new boolean[1];
        return () -> {
            if (!released[0]) {
                released[0] = true;
                if (--endHolds == 0 && endWaiting) {
                    endWaiting = false;
                    end();
                }
            }
        };
    }

    /** The connection stops being HTTP (after a 101): the exchange neither finishes nor aborts it any more. */
    public void detach() {
        responseDone = true;
        onAbort = null;
        body.sink(null, false);
        releaseHeads();
    }

    /** The tunnel that replaced this exchange closed: it is logged now, with the bytes of the whole session. */
    public void tunnelClosed() {
        connection.tunnelClosed(this);
    }


    /** The connection ends for a timeout or a 444: reset_timedout_connection of this location applies. */
    public void timedOut() {
        connection.timedOut(settings().module(io.ferry.http.conn.ConnectionModule.SETTINGS));
    }

    /** Cuts the exchange off mid-response: the client sees a truncated response, never a complete-looking one. */
    public void abort() {
        if (!responseDone) {
            responseDone = true;
            abortHandler();
            keepAlive = false;
            if (subrequest != null) {
                leaveParent();
                connection.subrequestEnded(this);
                subrequest.finished(this, false);
            } else {
                ctx.channel().close();
            }
        }
    }

    private void leaveParent() {
        if (parent.children != null) {
            parent.children.remove(this);
        }
    }

    /** The parent of this subrequest ended first: its handler lets go of what it holds, nobody is told. */
    private void cancel() {
        if (!responseDone) {
            responseDone = true;
            subrequest.cancelled();
            abortHandler();
        }
    }
}
