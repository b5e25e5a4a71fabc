package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.variable.Template;
import io.ferry.model.FerryConfig;
import io.ferry.model.Listen;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.model.VirtualServer;
import io.ferry.proxy.HeaderSetting;
import io.ferry.proxy.ProxyModule;
import io.ferry.proxy.ProxySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configurations that load, and the values they produce: inheritance, times, sizes, listen forms. */
class DirectiveValuesTest {
    @TempDir
    Path dir;

    private FerryConfig load(String text) throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, text);
        return ConfigLoader.load(dir, conf, null).config();
    }

    private VirtualServer server(String serverBody) throws Exception {
        return load("http {\nserver {\n" + serverBody + "\n}\n}\n").http().servers().get(0);
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

    /** Header name → template text, in the order Ferry sends them. */
    private static Map<String, String> headers(ProxySettings proxy) {
        Map<String, String> out = new LinkedHashMap<>();
        for (HeaderSetting h : proxy.headers()) {
            out.put(h.name(), h.value().text());
        }
        return out;
    }

    // ---- proxy_set_header inheritance ----------------------------------------------------------

    private static final String INHERITANCE = """
            http {
                proxy_set_header X-Http http;
                server {
                    listen 8080;
                    proxy_set_header X-Server-A a;
                    proxy_set_header X-Server-B b;

                    location /inherits/ {
                        proxy_pass http://127.0.0.1:9000;
                    }
                    location /own/ {
                        proxy_pass http://127.0.0.1:9000;
                        proxy_set_header X-Own own;
                    }
                    location /host/ {
                        proxy_pass http://127.0.0.1:9000;
                        proxy_set_header host $host;
                        proxy_set_header Connection "";
                    }
                    location /outer/ {
                        proxy_set_header X-Outer outer;
                        location /outer/inner/ {
                            proxy_pass http://127.0.0.1:9000;
                        }
                    }
                }
                server {
                    listen 8081;
                    location / {
                        proxy_pass http://127.0.0.1:9000;
                    }
                }
            }
            """;

    @Test
    void locationWithoutProxySetHeaderInheritsTheServerLevelSet() throws Exception {
        VirtualServer vs = load(INHERITANCE).http().servers().get(0);

        assertThat(headers(location(vs, "/inherits/").settings().module(ProxyModule.SETTINGS))).containsExactly(
                Map.entry("X-Server-A", "a"),
                Map.entry("X-Server-B", "b"),
                Map.entry("Host", "$proxy_host"),
                Map.entry("Connection", "close"));
    }

    @Test
    void locationWithItsOwnProxySetHeaderReplacesAllInheritedOnes() throws Exception {
        VirtualServer vs = load(INHERITANCE).http().servers().get(0);

        assertThat(headers(location(vs, "/own/").settings().module(ProxyModule.SETTINGS))).containsExactly(
                Map.entry("X-Own", "own"),
                Map.entry("Host", "$proxy_host"),
                Map.entry("Connection", "close"));
    }

    @Test
    void defaultHostAndConnectionAreOverriddenCaseInsensitively() throws Exception {
        VirtualServer vs = load(INHERITANCE).http().servers().get(0);

        Map<String, String> h = headers(location(vs, "/host/").settings().module(ProxyModule.SETTINGS));
        assertThat(h).containsExactly(Map.entry("host", "$host"), Map.entry("Connection", ""));
    }

    @Test
    void nestedLocationInheritsFromItsEnclosingLocation() throws Exception {
        VirtualServer vs = load(INHERITANCE).http().servers().get(0);

        assertThat(headers(location(vs, "/outer/inner/").settings().module(ProxyModule.SETTINGS))).containsExactly(
                Map.entry("X-Outer", "outer"),
                Map.entry("Host", "$proxy_host"),
                Map.entry("Connection", "close"));
    }

    @Test
    void serverWithoutProxySetHeaderInheritsTheHttpLevelSet() throws Exception {
        VirtualServer vs = load(INHERITANCE).http().servers().get(1);

        assertThat(headers(vs.locations().get(0).settings().module(ProxyModule.SETTINGS))).containsExactly(
                Map.entry("X-Http", "http"),
                Map.entry("Host", "$proxy_host"),
                Map.entry("Connection", "close"));
    }

    @Test
    void proxyTargetAndDefaults() throws Exception {
        VirtualServer vs = server("""
                listen 8080;
                location /api/ {
                    proxy_pass http://127.0.0.1:9000/v2/;
                }
                location /plain/ {
                    proxy_pass https://127.0.0.1;
                }
                """);

        ProxySettings api = location(vs, "/api/").settings().module(ProxyModule.SETTINGS);
        assertThat(api.target().https()).isFalse();
        assertThat(api.target().upstream().servers().get(0).address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(api.target().port()).isEqualTo(9000);
        assertThat(api.target().uri()).isEqualTo("/v2/");
        assertThat(api.target().locationPrefix()).isEqualTo("/api/");
        assertThat(api.target().hostHeader()).isEqualTo("127.0.0.1:9000");
        assertThat(api.httpVersion()).as("nginx's default proxy_http_version").isEqualTo("1.0");
        assertThat(api.connectTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(api.readTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(api.sendTimeout()).isEqualTo(Duration.ofSeconds(60));

        ProxySettings plain = location(vs, "/plain/").settings().module(ProxyModule.SETTINGS);
        assertThat(plain.target().https()).isTrue();
        assertThat(plain.target().port()).isEqualTo(443);
        assertThat(plain.target().uri()).isNull();
        assertThat(plain.target().hostHeader()).as("default port omitted").isEqualTo("127.0.0.1");
    }

    // ---- times --------------------------------------------------------------------------------------

    private ProxySettings timeouts(String connect, String read, String send) throws Exception {
        return server("listen 8080;\nlocation / {\nproxy_pass http://127.0.0.1:9000;\n"
                + "proxy_connect_timeout " + connect + ";\nproxy_read_timeout " + read + ";\nproxy_send_timeout " + send + ";\n}\n")
                .locations().get(0).settings().module(ProxyModule.SETTINGS);
    }

    @Test
    void timesWithUnits() throws Exception {
        ProxySettings p = timeouts("500ms", "1m30s", "75");
        assertThat(p.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.readTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(p.sendTimeout()).as("no suffix means seconds").isEqualTo(Duration.ofSeconds(75));

        ProxySettings q = timeouts("1h", "2d", "1w");
        assertThat(q.connectTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(q.readTimeout()).isEqualTo(Duration.ofDays(2));
        assertThat(q.sendTimeout()).isEqualTo(Duration.ofDays(7));

        ProxySettings r = timeouts("1M", "1y", "1h30m15s");
        assertThat(r.connectTimeout()).as("M is 30 days").isEqualTo(Duration.ofDays(30));
        assertThat(r.readTimeout()).as("y is 365 days").isEqualTo(Duration.ofDays(365));
        assertThat(r.sendTimeout()).isEqualTo(Duration.ofSeconds(5415));
    }

    @Test
    void timeoutsAreInheritedFromServerAndHttp() throws Exception {
        VirtualServer vs = load("""
                http {
                    proxy_read_timeout 5s;
                    server {
                        listen 8080;
                        proxy_connect_timeout 2s;
                        location / {
                            proxy_pass http://127.0.0.1:9000;
                            proxy_send_timeout 3s;
                        }
                    }
                }
                """).http().servers().get(0);

        ProxySettings p = vs.locations().get(0).settings().module(ProxyModule.SETTINGS);
        assertThat(p.readTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.sendTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void keepaliveTimeout() throws Exception {
        VirtualServer vs = server("""
                listen 8080;
                keepalive_timeout 10;
                location /short/ {
                    keepalive_timeout 500ms;
                }
                location /other/ {
                }
                """);

        assertThat(vs.fallback().keepaliveTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(location(vs, "/short/").settings().keepaliveTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(location(vs, "/other/").settings().keepaliveTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(server("listen 8080;").fallback().keepaliveTimeout()).as("default 75s").isEqualTo(Duration.ofSeconds(75));
    }

    /**
     * nginx's "Configuration file measurement units" page: units are combined "in the order from the
     * most to the least significant, and optionally separated by whitespace", e.g. "1h 30m".
     */
    @Test
    void timeUnitsMayBeSeparatedByWhitespace() throws Exception {
        assertThat(timeouts("\"1h 30m\"", "60s", "60s").connectTimeout()).isEqualTo(Duration.ofSeconds(5400));
    }

    // ---- sizes --------------------------------------------------------------------------------------

    private long maxBody(String value) throws Exception {
        return server("listen 8080;\nclient_max_body_size " + value + ";").fallback().clientMaxBodySize();
    }

    @Test
    void sizesWithUnits() throws Exception {
        assertThat(maxBody("8m")).isEqualTo(8L * 1024 * 1024);
        assertThat(maxBody("8M")).isEqualTo(8L * 1024 * 1024);
        assertThat(maxBody("1k")).isEqualTo(1024);
        assertThat(maxBody("1K")).isEqualTo(1024);
        assertThat(maxBody("1g")).isEqualTo(1024L * 1024 * 1024);
        assertThat(maxBody("1500")).isEqualTo(1500);
        assertThat(maxBody("0")).as("0 disables the check").isZero();
        assertThat(server("listen 8080;").fallback().clientMaxBodySize()).as("default 1m").isEqualTo(1024 * 1024);
    }

    @Test
    void sizeIsInheritedAndOverridden() throws Exception {
        VirtualServer vs = load("""
                http {
                    client_max_body_size 2m;
                    server {
                        listen 8080;
                        location /upload/ {
                            client_max_body_size 100m;
                        }
                        location / {
                        }
                    }
                }
                """).http().servers().get(0);

        assertThat(vs.fallback().clientMaxBodySize()).isEqualTo(2L * 1024 * 1024);
        assertThat(location(vs, "/upload/").settings().clientMaxBodySize()).isEqualTo(100L * 1024 * 1024);
        assertThat(location(vs, "/").settings().clientMaxBodySize()).isEqualTo(2L * 1024 * 1024);
    }

    // ---- listen -------------------------------------------------------------------------------------

    private Listen listen(String args) throws Exception {
        return server("listen " + args + ";\nssl_certificate cert.pem;\nssl_certificate_key key.pem;\nssl_self_signed on;")
                .listens().get(0);
    }

    @Test
    void listenBarePort() throws Exception {
        Listen l = listen("8080");
        assertThat(l.host()).isNull();
        assertThat(l.port()).isEqualTo(8080);
        assertThat(l.ssl()).isFalse();
        assertThat(l.defaultServer()).isFalse();
        assertThat(l.socketKey()).isEqualTo("0.0.0.0:8080");
    }

    @Test
    void listenAddressAndPort() throws Exception {
        Listen l = listen("127.0.0.1:8080");
        assertThat(l.host()).isEqualTo("127.0.0.1");
        assertThat(l.port()).isEqualTo(8080);
        assertThat(l.socketKey()).isEqualTo("127.0.0.1:8080");
    }

    @Test
    void listenWildcardAddress() throws Exception {
        Listen l = listen("*:80");
        assertThat(l.host()).isNull();
        assertThat(l.port()).isEqualTo(80);
    }

    @Test
    void listenAddressWithoutPortUses80() throws Exception {
        Listen l = listen("127.0.0.1");
        assertThat(l.host()).isEqualTo("127.0.0.1");
        assertThat(l.port()).isEqualTo(80);
    }

    @Test
    void listenIpv6WithSslAndDefaultServer() throws Exception {
        VirtualServer vs = server("""
                listen [::1]:8443 ssl default_server;
                ssl_certificate cert.pem;
                ssl_certificate_key key.pem;
                ssl_self_signed on;
                """);
        Listen l = vs.listens().get(0);

        assertThat(l.host()).isEqualTo("::1");
        assertThat(l.port()).isEqualTo(8443);
        assertThat(l.ssl()).isTrue();
        assertThat(l.defaultServer()).isTrue();
        assertThat(vs.tls()).isNotNull();
        assertThat(vs.tls().certificate()).isEqualTo(dir.resolve("cert.pem").toAbsolutePath().normalize());
        assertThat(vs.tls().selfSigned()).isTrue();
        assertThat(vs.tls().protocols()).containsExactly("TLSv1.2", "TLSv1.3");
    }

    @Test
    void listenLineIsRecorded() throws Exception {
        Listen l = listen("8080");
        assertThat(l.file()).isEqualTo(dir.resolve("ferry.conf").toString());
        assertThat(l.line()).isEqualTo(3);
    }

    @Test
    void serverWithoutListenListensOnPort80() throws Exception {
        List<Listen> listens = server("server_name x.test;").listens();
        assertThat(listens).hasSize(1);
        assertThat(listens.get(0).host()).isNull();
        assertThat(listens.get(0).port()).isEqualTo(80);
    }

    // ---- main context ------------------------------------------------------------------------------

    @Test
    void workerProcesses() throws Exception {
        assertThat(load("worker_processes auto;\n").workerProcesses()).isEqualTo(FerryConfig.AUTO);
        assertThat(load("worker_processes 4;\n").workerProcesses()).isEqualTo(4);
        assertThat(load("\n").workerProcesses()).as("default").isEqualTo(1);
    }

    @Test
    void workerConnections() throws Exception {
        assertThat(load("events {\n worker_connections 2048;\n}\n").workerConnections()).isEqualTo(2048);
        assertThat(load("events {\n}\n").workerConnections()).isEqualTo(512);
    }

    @Test
    void globalDirectivesFromTheCommandLine() throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "events {\n}\n");

        assertThat(ConfigLoader.load(dir, conf, "worker_processes 3; pid run/x.pid;").config().workerProcesses()).isEqualTo(3);
        assertThat(ConfigLoader.load(dir, conf, "pid run/x.pid;").config().pidFile())
                .isEqualTo(dir.toAbsolutePath().resolve("run/x.pid"));
    }

    @Test
    void rootAndIndexInheritance() throws Exception {
        VirtualServer vs = load("""
                http {
                    root www;
                    index index.htm;
                    server {
                        listen 8080;
                        location /docs/ {
                            root /srv/docs;
                            index a.html b.html;
                        }
                        location / {
                        }
                    }
                }
                """).http().servers().get(0);

        LocationSettings docs = location(vs, "/docs/").settings();
        assertThat(docs.root()).isEqualTo(Path.of("/srv/docs"));
        assertThat(docs.index()).extracting(Template::text).containsExactly("a.html", "b.html");
        LocationSettings root = location(vs, "/").settings();
        assertThat(root.root()).isEqualTo(dir.toAbsolutePath().resolve("www"));
        assertThat(root.index()).extracting(Template::text).containsExactly("index.htm");
        assertThat(server("listen 8080;").fallback().root()).as("default html under the prefix")
                .isEqualTo(dir.toAbsolutePath().resolve("html"));
    }
}
