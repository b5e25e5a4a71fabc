package io.ferry.module.authbasic;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth_basic and auth_basic_user_file through the configuration loader: each inherited on its own, "off", duplicates. */
class AuthBasicDirectivesTest {
    @TempDir
    Path dir;

    private static AuthBasicSettings at(VirtualServer vs, String path) {
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l.settings().module(AuthBasicModule.SETTINGS);
            }
        }
        throw new AssertionError("no location " + path);
    }

    @Test
    void realmAndFileAreInheritedEachOnItsOwn() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                auth_basic_user_file htpasswd;
                server {
                    auth_basic "closed $host";
                    location /a { }
                    location /b { auth_basic off; }
                    location /c { auth_basic_user_file /etc/$arg_f; }
                }
                """);
        assertThat(at(vs, "/a").realm().text()).isEqualTo("closed $host");
        assertThat(at(vs, "/a").userFile().text()).isEqualTo("htpasswd");
        assertThat(at(vs, "/a").confPrefix()).isNotNull();
        assertThat(at(vs, "/b")).isSameAs(AuthBasicSettings.OFF);
        assertThat(at(vs, "/c").userFile().text()).isEqualTo("/etc/$arg_f");
    }

    @Test
    void aRealmWithoutAFileChecksNothing() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                server { location /a { auth_basic "x"; } }
                """);
        assertThat(at(vs, "/a")).isSameAs(AuthBasicSettings.OFF);
    }

    @Test
    void aDirectiveWrittenTwiceAtOneLevelIsAnError() throws Exception {
        ConfException e = new ConfigText(dir).httpError("""
                server {
                    location / {
                        auth_basic_user_file a;
                        auth_basic_user_file b;
                    }
                }
                """);
        assertThat(e.detail()).contains("\"auth_basic_user_file\" directive is duplicate");
    }
}
