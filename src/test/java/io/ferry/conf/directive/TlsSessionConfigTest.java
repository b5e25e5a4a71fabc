package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.proxy.ProxyModule;
import io.ferry.proxy.ProxySettings;
import io.ferry.testing.ConfigText;
import io.ferry.tls.TlsSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssl_session_cache, ssl_session_timeout, ssl_session_tickets, ssl_dhparam,
 * the legacy ssl on and proxy_ssl_session_reuse: defaults, inheritance and nginx's errors.
 */
class TlsSessionConfigTest {
    private static final String CERT = "ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_self_signed on;\n";

    @TempDir
    Path dir;

    private VirtualServer server(String http, String server) throws Exception {
        return new ConfigText(dir).server(CERT + http + "\nserver { listen 8443 ssl; " + server + " }");
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        VirtualServer vs = server("", "");
        TlsSessions s = vs.tls().sessions();
        assertThat(s.cache()).isEqualTo(TlsSessions.Cache.NONE);
        assertThat(s.timeoutSeconds()).isEqualTo(300);
        assertThat(s.tickets()).isTrue();
    }

    @Test
    void cacheSizesCountSessions() throws Exception {
        TlsSessions builtin = server("", "ssl_session_cache builtin;").tls().sessions();
        assertThat(builtin.cache()).isEqualTo(TlsSessions.Cache.ON);
        assertThat(builtin.cacheSize()).isEqualTo(20480);
        TlsSessions both = server("", "ssl_session_cache builtin:1000 shared:SSL:1m;").tls().sessions();
        assertThat(both.cacheSize()).isEqualTo(1000 + 4000);
        assertThat(both.zone()).isEqualTo("SSL");
        assertThat(server("", "ssl_session_cache off;").tls().sessions().cache()).isEqualTo(TlsSessions.Cache.OFF);
    }

    @Test
    void inheritedFromHttpUntilTheServerWritesItsOwn() throws Exception {
        VirtualServer vs = server("ssl_session_timeout 1m; ssl_session_tickets off;"
                + " ssl_session_cache shared:A:64k;", "ssl_session_timeout 10s;");
        assertThat(vs.tls().sessions().timeoutSeconds()).isEqualTo(10);
        assertThat(vs.tls().sessions().tickets()).isFalse();
        assertThat(vs.tls().sessions().zone()).isEqualTo("A");
    }

    @Test
    void badCachesAreRefusedAsNginxDoes() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError(CERT + "ssl_session_cache shared:SSL:1k;").getMessage())
                .isEqualTo(c.at("session cache \"shared:SSL:1k\" is too small", 3));
        assertThat(c.httpError(CERT + "ssl_session_cache builtin:x;").getMessage())
                .isEqualTo(c.at("invalid session cache \"builtin:x\"", 3));
        assertThat(c.httpError(CERT + "ssl_session_cache shared:1m;").getMessage())
                .isEqualTo(c.at("invalid session cache \"shared:1m\"", 3));
        assertThat(c.httpError(CERT + "ssl_session_cache lru;").getMessage())
                .isEqualTo(c.at("invalid session cache \"lru\"", 3));
        assertThat(c.httpError(CERT + "ssl_session_tickets maybe;").getMessage())
                .startsWith("invalid value \"maybe\" in \"ssl_session_tickets\" directive");
    }

    @Test
    void legacySslOnMakesEveryListenTls() throws Exception {
        VirtualServer vs = new ConfigText(dir).server(CERT + "server { listen 8080; listen 8081; ssl on; }");
        assertThat(vs.listens()).allMatch(l -> l.ssl());
        assertThat(vs.tls()).isNotNull();
        VirtualServer off = new ConfigText(dir).server(CERT + "server { listen 8080; ssl off; }");
        assertThat(off.listens()).noneMatch(l -> l.ssl());
    }

    @Test
    void dhparamMustBeAReadableParameterFile() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError(CERT + "server { listen 8443 ssl; ssl_dhparam missing.pem; }").getMessage())
                .startsWith("BIO_new_file(\"" + dir.resolve("missing.pem") + "\") failed");
        Files.writeString(dir.resolve("bad.pem"), "not a parameter file\n");
        assertThat(c.httpError(CERT + "server { listen 8443 ssl; ssl_dhparam bad.pem; }").getMessage())
                .startsWith("PEM_read_bio_DHparams(\"" + dir.resolve("bad.pem") + "\") failed");
        // 512-bit parameters from openssl dhparam, with generator 2
        Files.writeString(dir.resolve("dh.pem"), """
                -----BEGIN DH PARAMETERS-----
                MEYCQQDxg/+W/hdVUmwOlLEOnuxZgPr9t0mVxyF0PAlxHwDdtS+f4KEvYR/SosXn
                teDhL9WHW7TP7u8Vb3fE2lIpsNq/AgEC
                -----END DH PARAMETERS-----
                """);
        assertThat(server("", "ssl_dhparam dh.pem;").tls()).isNotNull();
    }

    @Test
    void proxySslSessionReuseIsOnByDefault() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                server { listen 8080;
                    location /a/ { proxy_pass https://127.0.0.1:8443; }
                    location /b/ { proxy_ssl_session_reuse off; proxy_pass https://127.0.0.1:8443; }
                }""");
        assertThat(proxy(vs, "/a/").ssl().sessionReuse()).isTrue();
        assertThat(proxy(vs, "/b/").ssl().sessionReuse()).isFalse();
    }

    private static ProxySettings proxy(VirtualServer vs, String path) {
        return vs.locations().stream().filter(l -> l.path().equals(path)).findFirst().orElseThrow()
                .settings().module(ProxyModule.SETTINGS);
    }
}
