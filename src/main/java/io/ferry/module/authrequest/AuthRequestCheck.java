package io.ferry.module.authrequest;

import io.ferry.http.Exchange;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.SubrequestSink;
import io.ferry.model.LocationSettings;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/**
 * The access-phase check of auth_request, nginx's ngx_http_auth_request_handler: the first call
 * starts the subrequest and waits (AGAIN); once it answered, the phase asks again and the kept
 * answer decides.
 */
final class AuthRequestCheck {

    private AuthRequestCheck() {
    }

    /**
     * One subrequest's progress for one location of the request: an internal redirect to another
     * location with auth_request asks again, as nginx (which forgets module contexts on a redirect).
     */
    static final class Pending implements SubrequestSink {
        private final Exchange parent;
        final LocationSettings location;
        Exchange subrequest;
        boolean done;
        int status;
        List<String> challenges = List.of();

        Pending(Exchange parent, LocationSettings location) {
            this.parent = parent;
            this.location = location;
        }

        @Override
        public void done(Exchange sr, boolean complete) {
            done = true;
            HttpResponse head = sr.response();
            status = complete && head != null ? head.status().code() : 500;
            if (head != null) {
                challenges = head.headers().getAll(HttpHeaderNames.WWW_AUTHENTICATE);
            }
            parent.resumeAccess();
        }
    }

    static int check(Exchange ex) {
        AuthRequestSettings settings = ex.settings().module(AuthRequestModule.SETTINGS);
        if (settings.uri() == null) {
            return AccessHandler.DECLINED;
        }
        Pending pending = ex.moduleContext(AuthRequestModule.CONTEXT);
        if (pending == null || pending.location != ex.settings()) {
            pending = new Pending(ex, ex.settings());
            ex.moduleContext(AuthRequestModule.CONTEXT, pending);
            pending.subrequest = ex.subrequest(settings.uri(), null, pending);
            return pending.subrequest == null ? 500 : AccessHandler.AGAIN;
        }
        if (!pending.done) {
            return AccessHandler.AGAIN;
        }
        for (AuthRequestSettings.Assignment a : settings.assignments()) {
            String value = a.value().render(pending.subrequest);
            ex.setVariable(a.name(), value == null ? "" : value);
        }
        int status = pending.status;
        if (status == 401 || status == 403) {
            return status;
        }
        if (status >= 200 && status < 300) {
            return AccessHandler.OK;
        }
        ex.errorLog().error("*{} auth request unexpected status: {}, client: {}, server: {}, request: \"{} {} {}\"",
                ex.connection(), status, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol());
        return 500;
    }

    /** A 401 carries the subrequest's WWW-Authenticate challenges to the client, as nginx. */
    static void passChallenge(Exchange ex, HttpResponse response) {
        Pending pending = ex.moduleContext(AuthRequestModule.CONTEXT);
        if (pending != null && pending.done && pending.status == 401 && response.status().code() == 401
                && !response.headers().contains(HttpHeaderNames.WWW_AUTHENTICATE)) {
            // spelled as nginx sends it, whatever case the subrequest's answer had
            pending.challenges.forEach(c -> response.headers().add("WWW-Authenticate", c));
        }
    }
}
