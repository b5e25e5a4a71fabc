package io.ferry.memcached;

import io.ferry.testing.ConfigText;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.FerryConfig;
import io.ferry.model.LocationSettings;
import io.ferry.upstream.NextUpstream.Condition;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memcached_* directives: values built, and errors in nginx's words with file:line. */
class MemcachedDirectivesTest {
    @TempDir
    Path dir;

    private FerryConfig load(String text) throws Exception {
        return new ConfigText(dir).load(text);
    }

    private String error(String text) throws IOException {
        return new ConfigText(dir).error(text).getMessage();
    }

    private String at(String detail, int line) {
        return new ConfigText(dir).at(detail, line);
    }

    @Test
    void memcachedSettingsAreInheritedAndThePassIsNot() throws Exception {
        FerryConfig c = load("""
                http {
                    memcached_read_timeout 3s;
                    memcached_gzip_flag 2;
                    upstream mc { server 127.0.0.1:11211; }
                    server {
                        listen 8080;
                        memcached_next_upstream error not_found;
                        location /a { memcached_pass mc; }
                        location /b { memcached_pass 127.0.0.1:11212; memcached_connect_timeout 1s;
                            location /b/c { }
                        }
                    }
                }
                """);
        LocationSettings a = c.http().servers().get(0).locations().get(0).settings();
        MemcachedSettings m = a.module(MemcachedModule.SETTINGS);
        assertThat(m.upstream().name()).isEqualTo("mc");
        assertThat(m.readTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(m.connectTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(m.gzipFlag()).isEqualTo(2);
        assertThat(m.nextUpstream().conditions()).containsExactlyInAnyOrder(Condition.ERROR, Condition.NOT_FOUND);
        assertThat(m.key().text()).isEqualTo("$uri");
        LocationSettings b = c.http().servers().get(0).locations().get(1).settings();
        assertThat(b.module(MemcachedModule.SETTINGS).connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.http().servers().get(0).locations().get(1).nested().get(0).settings().module(MemcachedModule.SETTINGS)).isNull();
    }

    @Test
    void memcachedErrors() throws Exception {
        assertThat(error("""
                http {
                    server { listen 8080;
                        location / { memcached_pass cache; }
                    }
                }
                """)).isEqualTo(at("no port in upstream \"cache\"", 3));
        assertThat(error("""
                http {
                    server { listen 8080;
                        memcached_pass 127.0.0.1:11211;
                    }
                }
                """)).isEqualTo(at("\"memcached_pass\" directive is not allowed here", 3));
        assertThat(error("""
                http {
                    memcached_next_upstream error http_502;
                    server { listen 8080; location / { memcached_pass 127.0.0.1:11211; } }
                }
                """)).isEqualTo(at("invalid value \"http_502\"", 2));
        assertThat(error("""
                http {
                    server { listen 8080; location / { memcached_pass 127.0.0.1:11211;
                        memcached_gzip_flag gzip; } }
                }
                """)).isEqualTo(at("\"memcached_gzip_flag\" directive invalid number", 3));
    }

    @Test
    void valuesAreCheckedAtLevelsWithoutAPass() throws Exception {
        assertThat(error("""
                http {
                    server { listen 8080;
                        memcached_read_timeout soon;
                    }
                }
                """)).isEqualTo(at("\"memcached_read_timeout\" directive invalid value", 3));
        assertThat(error("""
                http {
                    memcached_next_upstream not_found bogus;
                    server { listen 8080; }
                }
                """)).isEqualTo(at("invalid value \"bogus\"", 2));
    }

    @Test
    void memcachedConditionsStayMemcachedOnly() throws Exception {
        assertThat(error("""
                http {
                    proxy_next_upstream error not_found;
                    server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; } }
                }
                """)).isEqualTo(at("invalid value \"not_found\"", 2));
        assertThat(error("""
                http {
                    server { listen 8080; location / { fastcgi_pass 127.0.0.1:9000;
                        fastcgi_next_upstream invalid_response; } }
                }
                """)).isEqualTo(at("invalid value \"invalid_response\"", 3));
        LocationSettings s = load("""
                http {
                    server { listen 8080; location / { memcached_pass 127.0.0.1:11211;
                        memcached_next_upstream invalid_response not_found; } }
                }
                """).http().servers().get(0).locations().get(0).settings();
        assertThat(s.module(MemcachedModule.SETTINGS).nextUpstream().conditions())
                .containsExactlyInAnyOrder(Condition.INVALID_RESPONSE, Condition.NOT_FOUND);
    }
}
