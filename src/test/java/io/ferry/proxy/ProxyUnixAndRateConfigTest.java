package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_pass to unix:PATH and proxy_limit_rate: what the configuration makes of them, and their errors. */
class ProxyUnixAndRateConfigTest {
    @TempDir
    Path dir;

    private ProxySettings proxy(String httpBody, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(httpBody);
        return ConfigText.location(vs, path).settings().module(ProxyModule.SETTINGS);
    }

    @Test
    void aUnixUrlNamesTheSocketAndItsUriAndProxyHostIsLocalhost() throws Exception {
        String conf = """
                server { listen 8080;
                    location / { proxy_pass http://unix:/run/app.sock; }
                    location /u/ { proxy_pass http://unix:/run/app.sock:/v/; }
                }
                """;
        ProxyTarget root = proxy(conf, "/").target();
        assertThat(root.upstream().servers().get(0).unixPath()).isEqualTo("/run/app.sock");
        assertThat(root.hostHeader()).isEqualTo("localhost");
        assertThat(root.uri()).isNull();
        ProxyTarget withUri = proxy(conf, "/u/").target();
        assertThat(withUri.upstream().servers().get(0).unixPath()).isEqualTo("/run/app.sock");
        assertThat(withUri.uri()).isEqualTo("/v/");
    }

    @Test
    void aUnixUrlFromVariablesKeepsTheSocketAsItsHost() {
        ProxyTarget.Evaluated e = ProxyTarget.evaluate("http://unix:/run/app.sock:/x?a=1", new StringBuilder());
        assertThat(e.address().host()).isEqualTo("unix:/run/app.sock");
        assertThat(e.target().uri()).isEqualTo("/x?a=1");
        assertThat(e.target().hostHeader()).isEqualTo("localhost");
        StringBuilder error = new StringBuilder();
        assertThat(ProxyTarget.evaluate("http://unix:", error)).isNull();
        assertThat(error.toString()).isEqualTo("no path in the unix domain socket \"unix:\"");
    }

    @Test
    void aUnixUrlWithoutPathIsAnError() throws Exception {
        assertThat(new ConfigText(dir).httpError("server { location / { proxy_pass http://unix:; } }").detail())
                .isEqualTo("no path in the unix domain socket \"unix:\"");
    }

    @Test
    void limitRateIsOffByDefaultInheritedAndSizesOnly() throws Exception {
        String conf = """
                server { listen 8080; proxy_limit_rate 20k;
                    location / { proxy_pass http://127.0.0.1:8081; }
                    location /none/ { proxy_pass http://127.0.0.1:8081; proxy_limit_rate 0; }
                }
                """;
        assertThat(proxy(conf, "/").limitRate()).isEqualTo(20480);
        assertThat(proxy(conf, "/none/").limitRate()).isZero();
        assertThat(new ConfigText(dir).httpError("proxy_limit_rate fast;").detail())
                .isEqualTo("\"proxy_limit_rate\" directive invalid value");
    }
}
