package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import io.ferry.tls.SelfSignedCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_ssl_*: nginx's defaults, inheritance into a location, and the errors -t reports with file:line. */
class ProxySslConfigTest {
    @TempDir
    Path dir;
    ConfigText conf;

    @BeforeEach
    void certificates() {
        conf = new ConfigText(dir);
        SelfSignedCertificates.write(dir.resolve("up.crt"), dir.resolve("up.key"), List.of("up.test"),
                SelfSignedCertificates.KeyType.EC_P256, SelfSignedCertificates.KeyEncoding.PKCS8);
    }

    private static ProxySsl ssl(VirtualServer vs, String path) {
        return ConfigText.location(vs, path).settings().module(ProxyModule.SETTINGS).ssl();
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        VirtualServer vs = conf.server("server { listen 8080; location / { proxy_pass https://127.0.0.1:8443; }"
                + " location /plain { proxy_pass http://127.0.0.1:8080; } }");
        ProxySsl ssl = ssl(vs, "/");
        assertThat(ssl.serverName()).isFalse();
        assertThat(ssl.name()).isNull();
        assertThat(ssl.verify()).isNull();
        assertThat(ssl.certificate()).isNull();
        assertThat(ssl.sessionReuse()).isTrue();
        assertThat(ssl.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(ssl(vs, "/plain")).isNull();
    }

    @Test
    void valuesOfOuterLevelsAreInherited() throws Exception {
        VirtualServer vs = conf.server("""
                proxy_ssl_verify on; proxy_ssl_trusted_certificate up.crt; proxy_ssl_verify_depth 3;
                server { listen 8080; proxy_ssl_server_name on; proxy_ssl_name $host;
                    proxy_ssl_protocols TLSv1.3;
                    location / { proxy_pass https://127.0.0.1:8443; }
                    location /own { proxy_ssl_verify off; proxy_ssl_name up.test; proxy_pass https://127.0.0.1:8443; } }""");
        ProxySsl ssl = ssl(vs, "/");
        assertThat(ssl.verify()).isNotNull();
        assertThat(ssl.serverName()).isTrue();
        assertThat(ssl.name().text()).isEqualTo("$host");
        assertThat(ssl.protocols()).containsExactly("TLSv1.3");
        assertThat(ssl(vs, "/own").verify()).isNull();
        assertThat(ssl(vs, "/own").name().text()).isEqualTo("up.test");
    }

    @Test
    void verifyWithoutTrustedCertificatesIsAnError() throws Exception {
        assertThat(conf.httpErrorAt("""
                server { listen 8080;
                    proxy_ssl_verify on;
                    location / { proxy_pass https://127.0.0.1:8443; } }"""))
                .isEqualTo("no proxy_ssl_trusted_certificate for proxy_ssl_verify:2");
    }

    @Test
    void verifyIsOnlyCheckedWhereTheUpstreamSpeaksTls() throws Exception {
        VirtualServer vs = conf.server("proxy_ssl_verify on; server { listen 8080;"
                + " location / { proxy_pass http://127.0.0.1:8080; } }");
        assertThat(ssl(vs, "/")).isNull();
    }

    @Test
    void certificateWithoutKeyIsAnError() throws Exception {
        assertThat(conf.httpErrorAt("""
                server { listen 8080;
                    proxy_ssl_certificate up.crt;
                    location / { proxy_pass https://127.0.0.1:8443; } }"""))
                .isEqualTo("no \"proxy_ssl_certificate_key\" is defined for certificate \"up.crt\":2");
    }

    @Test
    void unreadableKeyOrPasswordFileIsAnError() throws Exception {
        Files.writeString(dir.resolve("bad.key"), "not a key\n");
        assertThat(conf.httpErrorAt("""
                server { listen 8080;
                    proxy_ssl_certificate up.crt; proxy_ssl_certificate_key bad.key;
                    location / { proxy_pass https://127.0.0.1:8443; } }"""))
                .startsWith("cannot load certificate").endsWith(":2");
        assertThat(conf.httpErrorAt("""
                server { listen 8080;
                    proxy_ssl_certificate up.crt; proxy_ssl_certificate_key up.key;
                    proxy_ssl_password_file missing.pass;
                    location / { proxy_pass https://127.0.0.1:8443; } }"""))
                .startsWith("cannot open file").endsWith(":3");
    }

    @Test
    void certificatePathsWithVariablesWaitForTheRequest() throws Exception {
        VirtualServer vs = conf.server("server { listen 8080; proxy_ssl_certificate $host.crt;"
                + " proxy_ssl_certificate_key $host.key; location / { proxy_pass https://127.0.0.1:8443; } }");
        assertThat(ssl(vs, "/").certificate().isConstant()).isFalse();
    }

    @Test
    void unknownProtocolIsAnError() throws Exception {
        assertThat(conf.httpErrorAt("server { listen 8080; proxy_ssl_protocols TLSv1.2 TLSv9;"
                + " location / { proxy_pass https://127.0.0.1:8443; } }"))
                .startsWith("invalid value \"TLSv9\"");
    }
}
