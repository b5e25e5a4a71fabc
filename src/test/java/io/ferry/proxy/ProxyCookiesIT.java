package io.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import io.ferry.testing.SocketBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The upstream's Set-Cookie lines rewritten on their way to the client, each on its own. */
@Timeout(60)
class ProxyCookiesIT {
    @TempDir
    Path prefix;

    @Test
    void domainPathAndFlagsRewriteEachSetCookieLine() throws Exception {
        try (SocketBackend backend = SocketBackend.start(s -> {
            while (SocketBackend.readHead(s.getInputStream()) != null) {
                SocketBackend.write(s, "HTTP/1.1 200 OK\r\n"
                        + "Set-Cookie: a=1; Domain=www.example.org; Path=/app/x\r\n"
                        + "Set-Cookie: b=2;samesite=lax\r\n"
                        + "Set-Cookie: c=3; Domain=other.net\r\n"
                        + "Content-Length: 2\r\n\r\nok");
            }
        })) {
            int port = FerryInstance.freePort();
            try (FerryInstance ignored = FerryInstance.start(prefix, """
                    http { server { listen 127.0.0.1:%d; server_name localhost;
                        proxy_cookie_domain .$server_name.org .example.com;
                        proxy_cookie_domain www.example.org $server_name;
                        proxy_cookie_path ~^/app/(.*)$ /new/$1;
                        proxy_cookie_flags ~^B$ secure samesite=strict;
                        location / { proxy_pass http://127.0.0.1:%d; }
                        location /off/ { proxy_pass http://127.0.0.1:%2$d;
                            proxy_cookie_domain off; proxy_cookie_path off; proxy_cookie_flags off; }
                    } }
                    """.formatted(port, backend.port()));
                 RawHttpClient client = new RawHttpClient(port)) {
                RawHttpClient.Response r = client.get("/");
                assertThat(r.all("Set-Cookie")).containsExactly("a=1; Domain=localhost; Path=/new/x",
                        "b=2; SameSite=Strict; Secure", "c=3; Domain=other.net");
                assertThat(r.text()).isEqualTo("ok");

                assertThat(client.get("/off/").all("Set-Cookie")).containsExactly(
                        "a=1; Domain=www.example.org; Path=/app/x", "b=2;samesite=lax", "c=3; Domain=other.net");
            }
        }
    }
}
