package io.ferry.module.referer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.model.LocationSettings;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** valid_referers and referer_hash_* through the configuration loader: levels, inheritance, server_names, errors. */
class RefererDirectivesTest {
    @TempDir
    Path dir;

    private VirtualServer server(String http) throws Exception {
        return new ConfigText(dir).server(http);
    }

    /** The error's text and line, "DETAIL:LINE". */
    private String error(String http) throws Exception {
        ConfigText text = new ConfigText(dir);
        ConfException e = text.httpError(http);
        assertThat(e.file()).isEqualTo(text.file().toString());
        return e.detail() + ":" + e.line();
    }

    private static ValidReferers referers(LocationSettings s) {
        return s.module(RefererModule.SETTINGS);
    }

    private static LocationSettings location(VirtualServer vs, String path) {
        return ConfigText.location(vs, path).settings();
    }

    @Test
    void nothingWrittenMeansEveryRefererIsValid() throws Exception {
        VirtualServer vs = server("server { listen 8080; location / { } }");
        assertThat(referers(location(vs, "/"))).isNull();
    }

    @Test
    void aLocationInheritsTheServersListUnlessItWritesItsOwn() throws Exception {
        VirtualServer vs = server("""
                server {
                    listen 8080;
                    valid_referers none www.example.org;
                    valid_referers *.example.net;
                    location /inherits { }
                    location /own { valid_referers www.other.org; }
                }
                """);
        ValidReferers inherited = referers(location(vs, "/inherits"));
        assertThat(inherited.valid(null)).isTrue();
        assertThat(inherited.valid("http://www.example.org/")).isTrue();
        assertThat(inherited.valid("http://a.example.net/")).isTrue();
        ValidReferers own = referers(location(vs, "/own"));
        assertThat(own.valid(null)).isFalse();
        assertThat(own.valid("http://www.example.org/")).isFalse();
        assertThat(own.valid("http://www.other.org/")).isTrue();
    }

    @Test
    void serverNamesAreTheWholeServerBlocksNamesWildcardsAndRegexes() throws Exception {
        VirtualServer vs = server("""
                server {
                    listen 8080;
                    server_name localhost;
                    location / { valid_referers server_names; }
                    server_name *.example.com ~^re[0-9]$;
                }
                """);
        ValidReferers v = referers(location(vs, "/"));
        assertThat(v.valid("http://LOCALHOST/")).isTrue();
        assertThat(v.valid("http://a.example.com")).isTrue();
        assertThat(v.valid("http://re5/x")).isTrue();
        assertThat(v.valid("http://re55/x")).isFalse();
        assertThat(v.valid("localhost")).isFalse();
    }

    @Test
    void regexesAreCaselessUnlessTheyTurnItOff() throws Exception {
        VirtualServer vs = server("server { listen 8080; valid_referers ~example.org ~(?-i)example.net; }");
        ValidReferers v = referers(vs.fallback());
        assertThat(v.valid("http://www.eXample.org")).isTrue();
        assertThat(v.valid("http://www.eXample.net")).isFalse();
        assertThat(v.valid("http://www.example.net")).isTrue();
    }

    @Test
    void nginxsErrorsNameTheLine() throws Exception {
        assertThat(error("server {\nlisten 8080;\nvalid_referers none blocked;\n}"))
                .isEqualTo("the \"none\" or \"blocked\" referers are specified in the \"valid_referers\" directive "
                        + "without any valid referer:4");
        assertThat(error("server {\nlisten 8080;\nlocation / {\nvalid_referers none ~regex;\n}\n}"))
                .startsWith("the \"none\" or \"blocked\" referers");
        assertThat(error("server {\nlisten 8080;\nvalid_referers ~;\n}")).isEqualTo("empty regex in \"~\":4");
        assertThat(error("server {\nlisten 8080;\nvalid_referers ~(;\n}")).startsWith("invalid regex \"(\"");
        assertThat(error("server {\nlisten 8080;\nvalid_referers \"\";\n}")).isEqualTo("invalid referer \"\":4");
        assertThat(error("server {\nlisten 8080;\nvalid_referers www.*.org;\n}"))
                .isEqualTo("invalid hostname or wildcard \"www.*.org\":4");
        assertThat(error("server {\nlisten 8080;\nserver_name a.org;\nvalid_referers a.org server_names;\n}"))
                .isEqualTo("conflicting parameter \"a.org\":5");
        assertThat(error("server {\nlisten 8080;\nreferer_hash_max_size big;\n}"))
                .isEqualTo("\"referer_hash_max_size\" directive invalid number:4");
        assertThat(error("valid_referers none;\nserver {\nlisten 8080;\n}")).contains("\"valid_referers\" directive is not allowed here");
    }

    @Test
    void hashSizesAreAcceptedAtServerAndLocation() throws Exception {
        VirtualServer vs = server("""
                server {
                    listen 8080;
                    referer_hash_max_size 4096;
                    referer_hash_bucket_size 128;
                    location / { referer_hash_bucket_size 256; valid_referers a.org; }
                }
                """);
        assertThat(referers(location(vs, "/")).valid("http://a.org")).isTrue();
    }
}
