package io.ferry.module.authbasic;

import io.ferry.http.Exchange;
import io.ferry.http.hook.AccessHandler;
import io.ferry.variable.BasicCredentials;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The access check of auth_basic, nginx's ngx_http_auth_basic_handler: no credentials, an unknown
 * user or a wrong password answer 401 with the realm's challenge; a user file that does not exist
 * answers 403, one that cannot be read 500. The file is read anew for every request, as nginx does,
 * so edits to it apply at once.
 */
final class AuthBasicCheck {

    private AuthBasicCheck() {
    }

    static int check(Exchange ex) {
        AuthBasicSettings settings = ex.settings().module(AuthBasicModule.SETTINGS);
        if (settings.realm() == null) {
            return AccessHandler.DECLINED;
        }
        String realm = settings.realm().render(ex);
        if (realm.equals("off")) {
            return AccessHandler.DECLINED;
        }
        BasicCredentials credentials = BasicCredentials.of(ex);
        if (credentials == null) {
            ex.errorLog().info("*{} no user/password was provided for basic authentication{}", ex.connection(), context(ex));
            return refuse(ex, realm);
        }
        Path file = settings.confPrefix().resolve(settings.userFile().render(ex));
        String stored;
        try {
            stored = UserFile.password(file, credentials.user());
        } catch (NoSuchFileException e) {
            ex.errorLog().error("*{} open() \"{}\" failed (2: No such file or directory){}", ex.connection(), file, context(ex));
            return 403;
        } catch (IOException e) {
            ex.errorLog().error("*{} reading \"{}\" failed ({}){}", ex.connection(), file, e.getMessage(), context(ex));
            return 500;
        }
        if (stored == null) {
            ex.errorLog().error("*{} user \"{}\" was not found in \"{}\"{}", ex.connection(), credentials.userName(), file, context(ex));
            return refuse(ex, realm);
        }
        if (PasswordHash.matches(credentials.password(), stored)) {
            return AccessHandler.OK;
        }
        ex.errorLog().error("*{} user \"{}\": password mismatch{}", ex.connection(), credentials.userName(), context(ex));
        return refuse(ex, realm);
    }

    /**
     * The challenge is kept for whatever answers the request, as nginx's headers_out: the 401, or
     * the page an error_page for it leads to.
     */
    private static int refuse(Exchange ex, String realm) {
        // a header value cannot hold a line break, whatever a variable in the realm gave
        String clean = realm.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
        ex.keepHeader("WWW-Authenticate", List.of("Basic realm=\"" + clean + "\""));
        return 401;
    }

    private static String context(Exchange ex) {
        return ", client: " + ex.remoteAddr() + ", server: " + ex.serverName() + ", request: \""
                + ex.method() + " " + ex.requestUri() + " " + ex.protocol() + "\"";
    }
}
