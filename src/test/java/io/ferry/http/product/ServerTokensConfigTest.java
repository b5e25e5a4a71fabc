package io.ferry.http.product;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server_tokens: nginx's default, inheritance down to nested locations, and its errors. */
class ServerTokensConfigTest {
    @TempDir
    Path dir;

    private ServerTokens at(String httpBody, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(httpBody);
        if (path == null) {
            return vs.fallback().module(ProductModule.SETTINGS);
        }
        return ConfigText.location(vs, path).settings().module(ProductModule.SETTINGS);
    }

    @Test
    void onByDefault() throws Exception {
        assertThat(at("server { listen 8080; location / { } }", "/")).isEqualTo(ServerTokens.ON);
        assertThat(ServerTokens.ON.product()).isEqualTo("ferry/" + ServerTokens.VERSION);
        assertThat(ServerTokens.OFF.product()).isEqualTo("ferry");
        // Ferry's build records no build name: build shows what on shows
        assertThat(ServerTokens.BUILD.product()).isEqualTo(ServerTokens.ON.product());
    }

    @Test
    void innerLevelsInheritAndOverride() throws Exception {
        String conf = """
                server_tokens off;
                server { listen 8080;
                    location /a { }
                    location /b { server_tokens BUILD; location /b/c { } location /b/d { server_tokens on; } }
                }
                """;
        assertThat(at(conf, null)).isEqualTo(ServerTokens.OFF);
        assertThat(at(conf, "/a")).isEqualTo(ServerTokens.OFF);
        assertThat(at(conf, "/b")).isEqualTo(ServerTokens.BUILD);
        assertThat(at(conf, "/b/c")).isEqualTo(ServerTokens.BUILD);
        assertThat(at(conf, "/b/d")).isEqualTo(ServerTokens.ON);
    }

    @Test
    void badValuesAndPlacesAreRefused() {
        assertThatThrownBy(() -> at("server { listen 8080; server_tokens full; }", null))
                .hasMessageStartingWith("invalid value \"full\" in ");
        assertThatThrownBy(() -> at("server { listen 8080; server_tokens on off; }", null))
                .hasMessageContaining("invalid number of arguments in \"server_tokens\" directive");
        assertThatThrownBy(() -> at("server { listen 8080; location / { if ($uri) { server_tokens off; } } }", "/"))
                .hasMessageContaining("\"server_tokens\" directive is not allowed here");
    }
}
