package io.ferry.module.securelink;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** secure_link, secure_link_md5 and secure_link_secret through the loader: nginx's merge and its error. */
class SecureLinkDirectivesTest {
    @TempDir
    Path dir;

    private static SecureLinkModule.Settings settings(VirtualServer vs, String path) {
        return ConfigText.location(vs, path).settings().module(SecureLinkModule.SETTINGS);
    }

    private static String describe(SecureLinkModule.Settings s) {
        if (s == null) {
            return "none";
        }
        return s.secret() != null ? "secret " + s.secret()
                : "link " + (s.link() == null ? "-" : s.link().text()) + " md5 " + (s.md5() == null ? "-" : s.md5().text());
    }

    @Test
    void nginxsMergeOfTheTwoForms() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                secure_link $arg_h;
                secure_link_md5 outer$uri;
                server {
                    listen 8080;
                    location /plain { }
                    location /secret {
                        secure_link_secret s1;
                        location /secret/inner { }
                        location /secret/md5 { secure_link_md5 inner$uri; }
                    }
                    location /own { secure_link $arg_x; }
                }
                """);
        assertThat(describe(settings(vs, "/plain"))).isEqualTo("link $arg_h md5 outer$uri");
        assertThat(describe(settings(vs, "/secret"))).isEqualTo("secret s1");
        assertThat(describe(settings(vs, "/secret/inner"))).isEqualTo("secret s1");
        // the secret's level cleared secure_link for the levels inside: only the md5 written here is left
        assertThat(describe(settings(vs, "/secret/md5"))).isEqualTo("link - md5 inner$uri");
        assertThat(describe(settings(vs, "/own"))).isEqualTo("link $arg_x md5 outer$uri");
    }

    @Test
    void nothingWrittenIsNothingKept() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 8080; location / { } }");
        assertThat(settings(vs, "/")).isNull();
    }

    @Test
    void theSecretCannotBeWrittenBesideTheOtherTwo() throws Exception {
        ConfigText text = new ConfigText(dir);
        ConfException e = text.httpError("server {\nlisten 8080;\nlocation / {\nsecure_link $arg_h;\nsecure_link_secret s;\n}\n}");
        assertThat(e.detail()).isEqualTo("\"secure_link_secret\" cannot be mixed with \"secure_link\" and \"secure_link_md5\"");
        assertThat(e.line()).isEqualTo(6);
        assertThat(text.httpError("server {\nlisten 8080;\nsecure_link a b;\n}").detail())
                .contains("invalid number of arguments");
    }
}
