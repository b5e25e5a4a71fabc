package io.ferry.module.realip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.net.Socket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** $realip_remote_addr and $realip_remote_port: the peer itself, before and after realip, and after an internal redirect. */
@Timeout(60)
class RealIpVariablesIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.file("index.html", "");
        ferry.start("""
                events { }
                http {
                    set_real_ip_from 127.0.0.1;
                    real_ip_header X-Forwarded-For;
                    server {
                        listen 127.0.0.1:%d;
                        add_header X-IP $remote_addr;
                        add_header X-Peer "$realip_remote_addr $realip_remote_port";
                    }
                }
                """.formatted(ferry.port()));
    }

    private static String[] get(String target, String xff) throws Exception {
        try (Socket s = new Socket("127.0.0.1", ferry.port()); RawHttpClient c = RawHttpClient.over(s)) {
            String head = "GET " + target + " HTTP/1.0\r\nHost: x\r\n" + (xff == null ? "" : "X-Forwarded-For: " + xff + "\r\n");
            RawHttpClient.Response r = c.send(head + "\r\n").read();
            return new String[] {r.header("X-IP"), r.header("X-Peer"), Integer.toString(s.getLocalPort())};
        }
    }

    @Test
    void withoutRealipTheyAreTheConnectionsOwn() throws Exception {
        String[] r = get("/index.html", null);
        assertThat(r[0]).isEqualTo("127.0.0.1");
        assertThat(r[1]).isEqualTo("127.0.0.1 " + r[2]);
    }

    @Test
    void theyKeepThePeerWhenATrustedProxyNamesAnotherClient() throws Exception {
        String[] r = get("/index.html", "192.0.2.1");
        assertThat(r[0]).isEqualTo("192.0.2.1");
        assertThat(r[1]).isEqualTo("127.0.0.1 " + r[2]);
    }

    @Test
    void anInternalRedirectKeepsThem() throws Exception {
        String[] r = get("/", "192.0.2.1");
        assertThat(r[0]).isEqualTo("192.0.2.1");
        assertThat(r[1]).isEqualTo("127.0.0.1 " + r[2]);
    }
}
