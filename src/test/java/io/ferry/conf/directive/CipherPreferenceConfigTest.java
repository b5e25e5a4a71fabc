package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssl_prefer_server_ciphers: off by default as in nginx, inherited from http, a flag. */
class CipherPreferenceConfigTest {
    private static final String CERT = "ssl_certificate c.pem; ssl_certificate_key k.pem; ssl_self_signed on;\n";

    @TempDir
    Path dir;

    private boolean preferred(String http, String server) throws Exception {
        return new ConfigText(dir).server(CERT + http + "\nserver { listen 8443 ssl; " + server + " }")
                .tls().preferServerCiphers();
    }

    @Test
    void offUnlessSaidAndInheritedFromHttp() throws Exception {
        assertThat(preferred("", "")).isFalse();
        assertThat(preferred("ssl_prefer_server_ciphers on;", "")).isTrue();
        assertThat(preferred("ssl_prefer_server_ciphers on;", "ssl_prefer_server_ciphers off;")).isFalse();
    }

    @Test
    void onlyOnOrOff() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError(CERT + "ssl_prefer_server_ciphers yes;").getMessage())
                .startsWith("invalid value \"yes\" in \"ssl_prefer_server_ciphers\" directive");
    }
}
