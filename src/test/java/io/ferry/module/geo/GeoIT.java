package io.ferry.module.geo;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** geo and split_clients variables on a real Ferry: by client address, by $arg_ip, through X-Forwarded-For. */
@Timeout(60)
class GeoIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();
    int port;

    private String get(String path, String xff) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n" + (xff == null ? "" : "X-Forwarded-For: " + xff + "\r\n")
                    + "\r\n").read().text();
        }
    }

    @Test
    void variablesFollowTheAddress() throws Exception {
        port = FerryInstance.freePort();
        Files.createDirectories(prefix.resolve("conf"));
        Files.writeString(prefix.resolve("conf/nets.conf"), "192.0.2.128/25 upper;\n");
        closer.add(FerryInstance.start(prefix, """
                http {
                    geo $client { 127.0.0.0/8 loopback; default other; }
                    geo $arg_ip $net {
                        default none;
                        192.0.2.0/24 doc;
                        include nets.conf;
                        2001:db8::/32 doc6;
                        10.0.0.0/8 ten;
                        delete 10.0.0.0/8;
                    }
                    geo $arg_ip $range { ranges; default none; 10.0.0.0-10.0.255.255 ten; 10.0.1.0-10.0.1.255 one; }
                    geo $via { default none; proxy 127.0.0.1; proxy_recursive; 192.0.2.0/24 doc; 198.51.100.0/24 trusted; }
                    split_clients "$arg_k" $bucket { 50%% low; * high; }
                    server {
                        listen 127.0.0.1:%d;
                        location /geo { return 200 "$client $net $range"; }
                        location /via { return 200 "$via"; }
                        location /split { return 200 "$bucket"; }
                    }
                }
                """.formatted(port)));
        assertThat(get("/geo?ip=192.0.2.1", null)).isEqualTo("loopback doc none");
        assertThat(get("/geo?ip=192.0.2.200", null)).isEqualTo("loopback upper none");
        assertThat(get("/geo?ip=2001:db8::5", null)).isEqualTo("loopback doc6 none");
        assertThat(get("/geo?ip=10.0.1.7", null)).isEqualTo("loopback none one");
        assertThat(get("/geo?ip=10.0.2.7", null)).isEqualTo("loopback none ten");
        assertThat(get("/geo?ip=not-an-address", null)).isEqualTo("loopback none none");
        assertThat(get("/via", null)).isEqualTo("none");
        assertThat(get("/via", "192.0.2.9")).isEqualTo("doc");
        assertThat(get("/via", "192.0.2.9, 127.0.0.1")).isEqualTo("doc");
        // MurmurHash2("a") = 2456313694 is above half of 2^32, MurmurHash2("ab") = 446775395 below
        assertThat(get("/split?k=a", null)).isEqualTo("high");
        assertThat(get("/split?k=ab", null)).isEqualTo("low");
    }
}
