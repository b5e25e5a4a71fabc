package io.ferry.http.product;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The product token in the Server header and the error page's signature, from the level that answers. */
class ServerTokensIT {
    @TempDir
    Path prefix;

    private static final String VERSIONED = "ferry/" + ServerTokens.VERSION;

    @Test
    void eachValueNamesTheProductInHeaderAndPage() throws Exception {
        int port = FerryInstance.freePort();
        try (FerryInstance ignored = FerryInstance.start(prefix, """
                http { server { listen 127.0.0.1:%d;
                    location /on/ { return 404; }
                    location /off/ { server_tokens off; return 404; }
                    location /build/ { server_tokens build; return 404; }
                    location /nested/ { server_tokens off; location /nested/on/ { server_tokens on; return 404; } }
                    location /ok/ { server_tokens off; return 200 fine; }
                } }
                """.formatted(port));
             RawHttpClient client = new RawHttpClient(port)) {
            expect(client.get("/on/"), VERSIONED);
            expect(client.get("/off/"), "ferry");
            expect(client.get("/build/"), VERSIONED);
            expect(client.get("/nested/on/"), VERSIONED);
            // the static handler's 404 in a location with tokens off
            expect(client.get("/nested/missing"), "ferry");

            RawHttpClient.Response ok = client.get("/ok/");
            assertThat(ok.all("Server")).containsExactly("ferry");
            assertThat(ok.text()).isEqualTo("fine");
        }
    }

    private static void expect(RawHttpClient.Response r, String product) {
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.all("Server")).containsExactly(product);
        assertThat(r.text()).contains("<hr><center>" + product + "</center>\r\n</body>");
    }
}
