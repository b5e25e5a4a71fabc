package io.ferry.http;

import io.ferry.http.syntax.RequestHost;

import io.ferry.tls.ServerNames;
import io.ferry.tls.TlsPeer;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.PostReadHandler;
import io.ferry.http.v2.Http2Module;
import io.ferry.http.hook.PreAccessHandler;
import io.ferry.http.hook.RewriteHandler;
import io.ferry.http.hook.RewriteHandler.Outcome;

import io.ferry.model.DocumentRoot;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.route.LocationMatch;
import io.ferry.route.LocationMatcher;
import io.ferry.route.ServerSelector;
import io.ferry.variable.Template;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The request phases of one exchange, in nginx's order: post-read (validation, server selection),
 * server rewrite, find location, rewrite, access, try_files, content. Internal redirects, named
 * locations and error pages re-enter it; at most 10 redirects or location searches, as nginx.
 */
final class RequestPhases {
    private final Exchange ex;
    private String locationName = "";
    private LocationSettings ifSettings;
    private boolean internal;
    private int redirects;
    /**
     * nginx's valid_location off: a rewrite in the location changed $uri and break kept the
     * location, so its prefix no longer describes $uri (proxy_pass then sends $uri whole).
     */
    private boolean uriLeftLocation;

    RequestPhases(Exchange ex) {
        this.ex = ex;
    }

    /** Post-read: the request line and headers are checked, then the server is chosen by Host. */
    void start(ServerSelector sites) {
        ex.server = sites.defaultServer();
        ex.settings = ex.server.fallback();
        HttpResponseStatus refusal = PostReadChecks.refusal(ex);
        if (refusal != null) {
            ex.sendError(refusal, true);
            return;
        }
        String hostHeader = ex.request.headers().get(HttpHeaderNames.HOST);
        String host = RequestHost.of(ex.target.absoluteHost() != null ? ex.target.absoluteHost() : hostHeader);
        ex.server = sites.select(host);
        ex.captures = ServerSelector.captures(ex.server, host);
        ex.settings = ex.server.fallback(); // what the post-read hooks read: the chosen server's settings
        if (clientCertificateRefused(host) || http2Refused()) {
            return;
        }
        for (PostReadHandler h : ex.handlers().postReadHandlers()) {
            h.postRead(ex);
        }
        serverPhase();
    }

    /**
     * nginx's ngx_http_v2_run_request: a stream asking for a server whose http2 is off (the connection
     * spoke HTTP/2 for another name on the address) is misdirected (421), so the client retries it on
     * a connection of its own.
     */
    private boolean http2Refused() {
        if (ex.request.protocolVersion() != Exchange.HTTP_2 || ex.server.fallback().module(Http2Module.SETTINGS).enabled()
                || ex.server.listens().stream().anyMatch(io.ferry.model.Listen::http2)) {
            return false;
        }
        ex.errorLog().info("client attempted to request the server name for which the negotiated protocol is disabled");
        ex.sendError(HttpResponseStatus.MISDIRECTED_REQUEST, true);
        return true;
    }

    /**
     * nginx's checks of a TLS connection once the server is known: a name other than the one the
     * handshake asked for is misdirected (421) when the server verifies clients, whose certificates
     * then decide (495 and 496, sent as 400).
     */
    private boolean clientCertificateRefused(String host) {
        TlsPeer peer = ex.tlsPeer();
        if (peer == null || !peer.verify().enabled()) {
            return false;
        }
        String sni = ServerNames.requested(peer.engine().getSession());
        if (sni != null && !sni.isEmpty() && !sni.equalsIgnoreCase(host)) {
            ex.sendError(HttpResponseStatus.MISDIRECTED_REQUEST, true);
            return true;
        }
        int refusal = peer.verify().refusal(peer.channel(), peer.engine());
        if (refusal != 0) {
            ex.errorLog().info(refusal == 496 ? "client sent no required SSL certificate"
                    : "client SSL certificate verify error: " + peer.verify().result(peer.channel(), peer.engine()));
            ex.sendCertificateError(refusal);
            return true;
        }
        return false;
    }

    /** A subrequest starts where an internal redirect does, and may use internal locations. */
    void startSubrequest() {
        internal = true;
        serverPhase();
    }

    /** Server-level rewrite directives, then the location search (also where internal redirects restart). */
    private void serverPhase() {
        ex.settings = ex.server.fallback();
        locationName = "";
        ifSettings = null;
        if (rewrite() == Outcome.RESPONDED) {
            return;
        }
        findLocation();
    }

    /**
     * Finds the location for $uri and runs its rewrite directives; a rewrite with "last", or one that
     * changed $uri without a flag, searches again (at most 10 times, as nginx).
     */
    private void findLocation() {
        for (int cycle = 0; cycle < 10; cycle++) {
            LocationMatch match = LocationMatcher.find(ex.server.locations(), ex.target.path());
            if (match == null) {
                ex.settings = ex.server.fallback();
                locationName = "";
            } else {
                ex.settings = match.location().settings();
                locationName = match.location().path();
                if (match.captures() != null) {
                    ex.captures = match.captures();
                }
            }
            if (!internal && ex.settings.internal()) {
                ex.sendError(HttpResponseStatus.NOT_FOUND, false);
                return;
            }
            if (match != null && match.slashRedirect()) {
                String args = ex.target.query();
                ex.sendRedirect(HttpResponseStatus.MOVED_PERMANENTLY,
                        RequestTarget.escape(locationName) + (args == null ? "" : "?" + args));
                return;
            }
            if (match != null) {
                ex.settings = match.location().settings(ex.method());
            }
            if (locationPhase() != Outcome.LAST) {
                return;
            }
        }
        cycle();
    }

    /** Location rewrites, then access, try_files and content; LAST when the location must be searched again. */
    private Outcome locationPhase() {
        ifSettings = null;
        String before = ex.target.path();
        Outcome o = rewrite();
        if (o == Outcome.RESPONDED) {
            return o;
        }
        boolean changed = !ex.target.path().equals(before);
        if (o == Outcome.LAST || (o == Outcome.CONTINUE && changed)) {
            return Outcome.LAST;
        }
        uriLeftLocation = changed;
        if (ifSettings != null) {
            ex.settings = ifSettings;
        }
        content();
        return Outcome.BREAK;
    }

    /** The modules' rewrite handlers on the current level's settings, until one does more than go on. */
    private Outcome rewrite() {
        for (RewriteHandler h : ex.handlers().rewriteHandlers()) {
            Outcome o = h.rewrite(ex);
            if (o != Outcome.CONTINUE) {
                return o;
            }
        }
        return Outcome.CONTINUE;
    }

    /** The pre-access hooks, the access phase, then try_files, then the content handler. */
    private void content() {
        resumePreAccess();
    }

    /** The pre-access hooks (again, after one waited: each answers from what it kept), then the rest. */
    void resumePreAccess() {
        for (PreAccessHandler h : ex.handlers().preAccessHandlers()) {
            int rc = h.preAccess(ex);
            if (rc == AccessHandler.AGAIN) {
                ex.holdBody();
                return;
            }
            if (rc != AccessHandler.DECLINED) {
                ex.sendError(HttpResponseStatus.valueOf(rc), !ex.expectsNoBody());
                return;
            }
        }
        resumeAccess();
    }

    /** A check that answered AGAIN decided: the access phase runs again (the check now answers at once), then the rest. */
    void resumeAccess() {
        int refused = access();
        if (refused == AccessHandler.AGAIN) {
            ex.holdBody();
            return;
        }
        if (refused != AccessHandler.OK) {
            ex.sendError(HttpResponseStatus.valueOf(refused), !ex.expectsNoBody());
            return;
        }
        long length = HttpUtil.getContentLength(ex.request, -1L);
        if (ex.settings.clientMaxBodySize() > 0 && length > ex.settings.clientMaxBodySize()) {
            ex.sendError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, true);
            return;
        }
        if (ex.settings.tryFiles() != null && !tryFiles()) {
            return;
        }
        ex.handlers().forLocation(ex.settings).handle(ex);
    }

    /**
     * try_files: the first name that exists becomes $uri for this location's handler; else the
     * fallback. As in nginx, a name written with a trailing '/' tests for a directory and that '/'
     * is not part of the new $uri (so "/dir/" answers with the static handler's redirect to it).
     */
    private boolean tryFiles() {
        for (Template t : ex.settings.tryFiles().files()) {
            String name = t.render(ex);
            boolean dir = t.text().endsWith("/");
            if (dir) {
                name = name.substring(0, name.length() - 1);
            }
            DocumentRoot root = ex.settings.documentRoot();
            Path file = root == null ? null : root.resolveTried(ex, name);
            if (file != null && (dir ? Files.isDirectory(file) : Files.isRegularFile(file))) {
                if (root.wholeAlias()) {
                    // nginx keeps $uri for a directory found under a regex location's alias.
                    if (!dir) {
                        ex.rewriteTarget(name, ex.target.query());
                        ex.addUriToAlias();
                    }
                } else {
                    ex.rewriteTarget(name, ex.target.query());
                }
                return true;
            }
        }
        String fallback = ex.settings.tryFiles().fallback().render(ex);
        if (fallback.startsWith("=")) {
            ex.sendError(HttpResponseStatus.valueOf(Integer.parseInt(fallback.substring(1))), false);
        } else if (fallback.startsWith("@")) {
            namedRedirect(fallback);
        } else {
            internalRedirect(fallback);
        }
        return false;
    }

    private void cycle() {
        ex.errorLog().error("*{} rewrite or internal redirection cycle while processing \"{}\", client: {}, server: {}, request: \"{} {} {}\"",
                ex.connection(), ex.target.path(), ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol());
        ex.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !ex.expectsNoBody());
    }

    /** An internal redirect to a URI (error_page, try_files): the ex.request starts over at the ex.server phase. */
    void internalRedirect(String uri) {
        if (++redirects > 10) {
            cycle();
            return;
        }
        internal = true;
        int q = uri.indexOf('?');
        ex.rewriteTarget(q < 0 ? uri : uri.substring(0, q), q >= 0 ? uri.substring(q + 1)
                : ex.target == null ? null : ex.target.query());
        serverPhase();
    }

    /** An internal redirect to "@name": straight to that location's rewrite phase. */
    void namedRedirect(String name) {
        Location named = LocationMatcher.named(ex.server.locations(), name);
        if (named == null || ++redirects > 10) {
            ex.errorLog().error("*{} could not find named location \"{}\"", ex.connection(), name);
            ex.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !ex.expectsNoBody());
            return;
        }
        internal = true;
        ex.settings = named.settings(ex.method());
        locationName = named.path();
        if (locationPhase() == Outcome.LAST) {
            findLocation();
        }
    }

    /** An `if` inside the location matched: its block's configuration serves the ex.request from now on. */
    void useIfBlock(LocationSettings block) {
        ifSettings = block;
        ex.settings = block;
    }

    /**
     * nginx's ngx_http_core_access_phase and post_access phase: OK, or the status that ends the
     * request. Under "satisfy all" the first refusal ends it; under "any" the first check that allows
     * lets it through, else a 403 or 401 from the checks (401 kept over a later 403), else through.
     * A check that waits (AGAIN) suspends the phase; subrequests skip it, as in nginx.
     */
    private int access() {
        if (ex.isSubrequest()) {
            return AccessHandler.OK;
        }
        boolean any = ex.settings.satisfyAny();
        int refused = AccessHandler.OK;
        for (AccessHandler h : ex.handlers().accessHandlers()) {
            int rc = h.check(ex);
            if (rc == AccessHandler.AGAIN) {
                return rc;
            }
            if (rc == AccessHandler.DECLINED || (rc == AccessHandler.OK && !any)) {
                continue;
            }
            if (rc == AccessHandler.OK) {
                return AccessHandler.OK;
            }
            if (any && (rc == 403 || rc == 401)) {
                refused = refused == 401 ? refused : rc;
                continue;
            }
            return rc;
        }
        if (refused == 403) {
            AccessHandler.logForbidden(ex);
        }
        return refused;
    }

    boolean uriLeftLocation() {
        return uriLeftLocation;
    }

    /** The matched location's path ("" at the ex.server level), for metrics labels. */
    String locationName() {
        return locationName;
    }
}
