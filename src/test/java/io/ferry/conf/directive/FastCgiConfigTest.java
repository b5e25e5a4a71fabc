package io.ferry.conf.directive;

import io.ferry.testing.ConfigText;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.fastcgi.FastCgiModule;
import io.ferry.gateway.CgiRequest;
import io.ferry.fastcgi.FastCgiSettings;
import io.ferry.model.DocumentRoot;
import io.ferry.model.Location;
import io.ferry.upstream.NextUpstream;
import io.ferry.model.VirtualServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fastcgi_* and root/alias directives: merged values and nginx's error messages. */
class FastCgiConfigTest {
    @TempDir
    Path dir;

    private VirtualServer server(String body) throws Exception {
        return new ConfigText(dir).server(body);
    }

    private String error(String body) throws Exception {
        return new ConfigText(dir).httpError(body).detail();
    }

    private static Location location(VirtualServer vs, String path) {
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                return l;
            }
            for (Location n : l.nested()) {
                if (n.path().equals(path)) {
                    return n;
                }
            }
        }
        throw new AssertionError("no location " + path);
    }

    private static List<String> names(FastCgiSettings f) {
        return f.params().stream().map(CgiRequest.Param::name).toList();
    }

    @Test
    void aLevelWithItsOwnFastcgiParamReplacesTheInheritedOnes() throws Exception {
        VirtualServer vs = server("""
                fastcgi_param A a;
                fastcgi_param B b;
                server {
                    listen 8080;
                    location /inherit { fastcgi_pass 127.0.0.1:9000; }
                    location /own {
                        fastcgi_pass 127.0.0.1:9000;
                        fastcgi_param C $uri if_not_empty;
                    }
                }
                """);
        assertThat(names(location(vs, "/inherit").settings().module(FastCgiModule.SETTINGS))).containsExactly("A", "B");
        FastCgiSettings own = location(vs, "/own").settings().module(FastCgiModule.SETTINGS);
        assertThat(names(own)).containsExactly("C");
        assertThat(own.params().get(0).ifNotEmpty()).isTrue();
        assertThat(own.params().get(0).value().text()).isEqualTo("$uri");
    }

    @Test
    void catchStderrIsInheritedUntilALevelWritesItsOwn() throws Exception {
        VirtualServer vs = server("""
                fastcgi_catch_stderr a;
                fastcgi_catch_stderr b;
                server {
                    listen 8080;
                    location /inherit { fastcgi_pass 127.0.0.1:9000; }
                    location /own { fastcgi_pass 127.0.0.1:9000; fastcgi_catch_stderr c; }
                }
                """);
        FastCgiSettings inherit = location(vs, "/inherit").settings().module(FastCgiModule.SETTINGS);
        assertThat(inherit.catchStderr()).containsExactly("a", "b");
        assertThat(inherit.catches("xxbxx")).isTrue();
        assertThat(inherit.catches("c")).isFalse();
        assertThat(location(vs, "/own").settings().module(FastCgiModule.SETTINGS).catchStderr()).containsExactly("c");
        assertThat(server("server { listen 8080; location / { fastcgi_pass 127.0.0.1:9000; } }")
                .locations().get(0).settings().module(FastCgiModule.SETTINGS).catchStderr()).isEmpty();
        assertThat(error("server { listen 8080; fastcgi_catch_stderr a b; }"))
                .contains("invalid number of arguments in \"fastcgi_catch_stderr\"");
    }

    @Test
    void defaultsAndExplicitValues() throws Exception {
        VirtualServer vs = server("""
                fastcgi_read_timeout 5m;
                server {
                    listen 8080;
                    location /d { fastcgi_pass 127.0.0.1:9000; }
                    location /e {
                        fastcgi_pass localhost:9001;
                        fastcgi_keep_conn on;
                        fastcgi_intercept_errors on;
                        fastcgi_connect_timeout 2s;
                        fastcgi_send_timeout 3s;
                        fastcgi_index index.php;
                        fastcgi_next_upstream error timeout http_503 non_idempotent;
                        fastcgi_next_upstream_tries 2;
                        fastcgi_buffers 16 16k;
                        fastcgi_buffer_size 32k;
                        fastcgi_buffering off;
                    }
                }
                """);
        FastCgiSettings d = location(vs, "/d").settings().module(FastCgiModule.SETTINGS);
        assertThat(d.keepConn()).isFalse();
        assertThat(d.interceptErrors()).isFalse();
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.readTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.nextUpstream().conditions()).containsExactlyInAnyOrder(NextUpstream.Condition.ERROR, NextUpstream.Condition.TIMEOUT);
        assertThat(d.upstream().servers().get(0).addressText()).isEqualTo("127.0.0.1:9000");
        FastCgiSettings e = location(vs, "/e").settings().module(FastCgiModule.SETTINGS);
        assertThat(e.keepConn()).isTrue();
        assertThat(e.interceptErrors()).isTrue();
        assertThat(e.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(e.sendTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(e.index()).isEqualTo("index.php");
        assertThat(e.nextUpstream().on(NextUpstream.Condition.HTTP_503)).isTrue();
        assertThat(e.nextUpstream().tries()).isEqualTo(2);
        assertThat(vs.fallback().module(FastCgiModule.SETTINGS)).as("content handlers are not inherited").isNull();
    }

    @Test
    void passRequestBodyIsOnUntilALevelTurnsItOff() throws Exception {
        VirtualServer vs = server("""
                server {
                    listen 8080;
                    location /d { fastcgi_pass 127.0.0.1:9000; }
                    location /off {
                        fastcgi_pass_request_body off;
                        fastcgi_pass 127.0.0.1:9000;
                        location /off/inner { fastcgi_pass 127.0.0.1:9000; }
                        location /off/on { fastcgi_pass 127.0.0.1:9000; fastcgi_pass_request_body on; }
                    }
                }
                """);
        assertThat(location(vs, "/d").settings().module(FastCgiModule.SETTINGS).passRequestBody()).isTrue();
        assertThat(location(vs, "/off").settings().module(FastCgiModule.SETTINGS).passRequestBody()).isFalse();
        assertThat(location(vs, "/off/inner").settings().module(FastCgiModule.SETTINGS).passRequestBody()).isFalse();
        assertThat(location(vs, "/off/on").settings().module(FastCgiModule.SETTINGS).passRequestBody()).isTrue();
        assertThat(server("fastcgi_pass_request_body off; server { listen 8080; location / { fastcgi_pass 127.0.0.1:9000; } }")
                .locations().get(0).settings().module(FastCgiModule.SETTINGS).passRequestBody())
                .as("set at http level").isFalse();
        assertThat(error("server { listen 8080; location / { fastcgi_pass_request_body maybe; } }"))
                .contains("it must be \"on\" or \"off\"");
        assertThat(error("server { listen 8080; location / { fastcgi_pass_request_body; } }"))
                .contains("invalid number of arguments in \"fastcgi_pass_request_body\"");
    }

    @Test
    void unixSocketsAndUpstreamBlocks() throws Exception {
        VirtualServer vs = server("""
                upstream php { server unix:/run/php/php-fpm.sock; server 127.0.0.1:9000 backup; keepalive 8; }
                server {
                    listen 8080;
                    location /u { fastcgi_pass unix:/run/php/other.sock; }
                    location /g { fastcgi_pass php; }
                }
                """);
        FastCgiSettings u = location(vs, "/u").settings().module(FastCgiModule.SETTINGS);
        assertThat(u.upstream().servers().get(0).unixPath()).isEqualTo("/run/php/other.sock");
        assertThat(u.upstream().servers().get(0).addressText()).isEqualTo("unix:/run/php/other.sock");
        FastCgiSettings g = location(vs, "/g").settings().module(FastCgiModule.SETTINGS);
        assertThat(g.upstream().name()).isEqualTo("php");
        assertThat(g.upstream().keepalive()).isEqualTo(8);
        assertThat(g.upstream().servers().get(0).unixPath()).isEqualTo("/run/php/php-fpm.sock");
    }

    @Test
    void splitPathInfoAndScriptName() throws Exception {
        VirtualServer vs = server("""
                server {
                    listen 8080;
                    location ~ [^/]\\.php(/|$) {
                        fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
                        fastcgi_index index.php;
                        fastcgi_pass 127.0.0.1:9000;
                    }
                }
                """);
        FastCgiSettings f = vs.locations().get(0).settings().module(FastCgiModule.SETTINGS);
        assertThat(f.scriptName("/a/b.php/x/y")).isEqualTo("/a/b.php");
        assertThat(f.pathInfo("/a/b.php/x/y")).isEqualTo("/x/y");
        assertThat(f.scriptName("/a/b.php")).isEqualTo("/a/b.php");
        assertThat(f.pathInfo("/a/b.php")).isEmpty();
        assertThat(f.scriptName("/dir/")).isEqualTo("/dir/index.php");
    }

    @Test
    void rootAndAliasMapping() throws Exception {
        VirtualServer vs = server("""
                server {
                    listen 8080;
                    root /srv/www/;
                    location /i/ { alias /data/images/; }
                    location /outer/ {
                        alias /data/outer/;
                        location /outer/inner/ { }
                    }
                    location ~ ^/u/(.+)$ { alias /data/u/$1; }
                }
                """);
        DocumentRoot server = vs.fallback().documentRoot();
        assertThat(server.alias()).isFalse();
        assertThat(location(vs, "/i/").settings().documentRoot().aliasLength()).isEqualTo(3);
        assertThat(location(vs, "/outer/inner/").settings().documentRoot().aliasLength())
                .as("an inherited alias keeps the prefix of the location that wrote it").isEqualTo("/outer/".length());
        assertThat(location(vs, "^/u/(.+)$").settings().documentRoot().aliasLength()).isEqualTo(DocumentRoot.WHOLE);
    }

    @Test
    void errorsInNginxsWords() throws Exception {
        assertThat(error("server { listen 8080; location / { fastcgi_pass 127.0.0.1; } }"))
                .isEqualTo("no port in upstream \"127.0.0.1\"");
        assertThat(error("server { listen 8080; location / { fastcgi_pass http://127.0.0.1:9000; } }"))
                .isEqualTo("invalid host in upstream \"http://127.0.0.1:9000\"");
        assertThat(error("server { listen 8080; location / { fastcgi_pass $backend; } }"))
                .isEqualTo("unknown \"backend\" variable");
        assertThat(error("server { listen 8080; location / { fastcgi_split_path_info ^(.+\\.php)$; fastcgi_pass 127.0.0.1:9000; } }"))
                .isEqualTo("pattern \"^(.+\\.php)$\" must have 2 captures");
        assertThat(error("server { listen 8080; location / { fastcgi_param A b if_empty; } }"))
                .isEqualTo("invalid parameter \"if_empty\"");
        assertThat(error("server { listen 8080; location / { fastcgi_param A $nope; } }"))
                .isEqualTo("unknown \"nope\" variable");
        assertThat(error("server { listen 8080; location / { fastcgi_keep_conn yes; } }"))
                .contains("it must be \"on\" or \"off\"");
        assertThat(error("server { listen 8080; location / { fastcgi_next_upstream http_502; } }"))
                .isEqualTo("invalid value \"http_502\"");
        assertThat(error("server { listen 8080; location / { root /a; alias /b; } }"))
                .isEqualTo("\"alias\" directive is duplicate, \"root\" directive was specified earlier");
        assertThat(error("server { listen 8080; location @n { alias /b; } }"))
                .isEqualTo("\"alias\" directive cannot be used inside the named location");
        assertThat(error("server { listen 8080; alias /b; }"))
                .isEqualTo("\"alias\" directive is not allowed here");
        assertThat(error("server { listen 8080; location / { proxy_pass http://127.0.0.1:1; fastcgi_pass 127.0.0.1:2; } }"))
                .contains("\"fastcgi_pass\" directive is duplicate");
    }
}
