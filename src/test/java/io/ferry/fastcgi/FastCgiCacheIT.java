package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** fastcgi_cache on the engine proxy_cache uses: hits answered from the file, the client's conditions kept from the application. */
@Timeout(60)
class FastCgiCacheIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void storedAnswersComeFromTheCache() throws Exception {
        FakeFastCgiServer fake = closer.add(new FakeFastCgiServer(r -> FakeFastCgiServer.Answer.of(
                "Content-Type: text/plain\r\n\r\n" + r.params().get("REQUEST_URI") + " ims="
                        + r.params().getOrDefault("HTTP_IF_MODIFIED_SINCE", "-"))));
        int port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    fastcgi_cache_path cache levels=2 keys_zone=fc:1m;
                    server { listen 127.0.0.1:%d;
                        add_header X-Cache $upstream_cache_status;
                        location / { fastcgi_pass 127.0.0.1:%d; fastcgi_param REQUEST_URI $request_uri;
                            fastcgi_cache fc; fastcgi_cache_key $request_uri; fastcgi_cache_valid 1m;
                            fastcgi_no_cache $arg_n; }
                    } }
                """.formatted(port, fake.port())));
        try (RawHttpClient client = new RawHttpClient(port)) {
            client.send("GET /a HTTP/1.1\r\nHost: l\r\nIf-Modified-Since: x\r\n\r\n");
            RawHttpClient.Response first = client.read();
            assertThat(first.header("X-Cache")).isEqualTo("MISS");
            assertThat(first.text()).isEqualTo("/a ims=-");
            RawHttpClient.Response second = client.get("/a");
            assertThat(second.header("X-Cache")).isEqualTo("HIT");
            assertThat(second.text()).isEqualTo("/a ims=-");
            client.get("/b?n=1");
            assertThat(client.get("/b?n=1").header("X-Cache")).isEqualTo("MISS");
            assertThat(fake.requests).hasSize(3);
        }
    }

    @Test
    void revalidateSendsTheStoredValidatorsAsParamsAndA304RenewsTheEntry() throws Exception {
        FakeFastCgiServer fake = closer.add(new FakeFastCgiServer(r -> FakeFastCgiServer.Answer.of(
                r.params().containsKey("HTTP_IF_NONE_MATCH") ? "Status: 304 Not Modified\r\nETag: \"v1\"\r\n\r\n"
                        : "Content-Type: text/plain\r\nETag: \"v1\"\r\nLast-Modified: Thu, 01 Jan 2015 00:00:00 GMT\r\n\r\n"
                                + r.params().get("REQUEST_URI"))));
        int port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    fastcgi_cache_path cache keys_zone=fc:1m;
                    server { listen 127.0.0.1:%d;
                        add_header X-Cache $upstream_cache_status;
                        location / { fastcgi_pass 127.0.0.1:%d; fastcgi_param REQUEST_URI $request_uri;
                            fastcgi_cache fc; fastcgi_cache_key $request_uri; fastcgi_cache_valid 1s;
                            fastcgi_cache_revalidate on; }
                    } }
                """.formatted(port, fake.port())));
        try (RawHttpClient client = new RawHttpClient(port)) {
            assertThat(client.get("/r").header("X-Cache")).isEqualTo("MISS");
            Thread.sleep(1100);
            RawHttpClient.Response revalidated = client.get("/r");
            assertThat(fake.requests.get(1).params())
                    .containsEntry("HTTP_IF_NONE_MATCH", "\"v1\"")
                    .containsEntry("HTTP_IF_MODIFIED_SINCE", "Thu, 01 Jan 2015 00:00:00 GMT");
            assertThat(revalidated.status()).isEqualTo(200);
            assertThat(revalidated.header("X-Cache")).isEqualTo("REVALIDATED");
            assertThat(revalidated.text()).isEqualTo("/r");
            assertThat(client.get("/r").header("X-Cache")).isEqualTo("HIT");
            assertThat(fake.requests).hasSize(2);
        }
    }

    @Test
    void aKeyIsRequired() throws Exception {
        assertThat(new io.ferry.testing.ConfigText(prefix).httpError("""
                fastcgi_cache_path cache keys_zone=fc:1m;
                server { listen 8080; location / { fastcgi_pass 127.0.0.1:9000; fastcgi_cache fc; } }
                """).detail()).startsWith("no \"fastcgi_cache_key\" for \"fastcgi_cache\"");
    }
}
