package io.ferry.hardening;

import io.ferry.testing.Closer;
import io.ferry.testing.SocketBackend;
import io.ferry.testing.RawHttpClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hop-by-hop headers never cross the proxy (RFC 9110 §7.6.1, both directions), X-Real-IP and
 * X-Forwarded-For are the proxy's own, and realip believes only the configured proxies.
 */
@Timeout(60)
class HeaderHygieneIT {
    @TempDir
    static Path prefix;
    @RegisterExtension
    static final Closer closer = new Closer();
    static HttpEchoBackend backend;
    static ScriptedBackend hopResponder;
    static FerryInstance ferry;
    static int port;
    static int trusted;
    static int trustsOthers;
    static int noRealIp;

    static final String RESPONSE_WITH_HOPS = "HTTP/1.1 200 OK\r\n"
            + "Connection: X-Resp-Hop, x-resp-hop2\r\n"
            + "Connection: keep-alive\r\n"
            + "X-Resp-Hop: 1\r\n"
            + "X-Resp-Hop2: 2\r\n"
            + "Keep-Alive: timeout=5, max=100\r\n"
            + "Proxy-Connection: keep-alive\r\n"
            + "TE: trailers\r\n"
            + "Trailer: X-T\r\n"
            + "Upgrade: h2c\r\n"
            + "X-End-To-End: yes\r\n"
            + "Content-Length: 2\r\n\r\nok";

    @BeforeAll
    static void start() throws Exception {
        backend = closer.add(HttpEchoBackend.start());
        hopResponder = closer.add(new ScriptedBackend((s, head) -> SocketBackend.write(s, RESPONSE_WITH_HOPS)));
        port = FerryInstance.freePort();
        trusted = FerryInstance.freePort();
        trustsOthers = FerryInstance.freePort();
        noRealIp = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        location / {
                            proxy_pass http://127.0.0.1:%5$d;
                            proxy_http_version 1.1;
                            proxy_set_header X-Real-IP $remote_addr;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        }
                        location /hops { proxy_pass http://127.0.0.1:%6$d; }
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        set_real_ip_from 127.0.0.1;
                        real_ip_header X-Forwarded-For;
                        real_ip_recursive on;
                        location = /addr { return 200 $remote_addr; }
                        location / {
                            proxy_pass http://127.0.0.1:%5$d;
                            proxy_set_header X-Real-IP $remote_addr;
                        }
                    }
                    server {
                        listen 127.0.0.1:%3$d;
                        set_real_ip_from 10.0.0.0/8;
                        set_real_ip_from ::1;
                        real_ip_header X-Forwarded-For;
                        real_ip_recursive on;
                        location = /addr { return 200 $remote_addr; }
                    }
                    server {
                        listen 127.0.0.1:%4$d;
                        real_ip_header X-Forwarded-For;
                        location = /addr { return 200 $remote_addr; }
                        location / {
                            proxy_pass http://127.0.0.1:%5$d;
                            proxy_set_header X-Real-IP $remote_addr;
                        }
                    }
                }
                """.formatted(port, trusted, trustsOthers, noRealIp, backend.port(), hopResponder.port())));
    }

    static RawHttpClient.Response exchange(int onPort, String request) throws Exception {
        try (Raw raw = new Raw(onPort)) {
            return raw.send(request).read();
        }
    }

    @Test
    void hopByHopRequestHeadersAndThoseNamedInConnectionNeverReachTheBackend() throws Exception {
        int before = backend.requests().size();
        RawHttpClient.Response r = exchange(port, "GET /hop HTTP/1.1\r\nHost: a\r\n"
                + "Connection: keep-alive, X-Client-Hop, x-other-hop\r\n"
                + "Connection: X-Third-Hop\r\n"
                + "X-Client-Hop: secret\r\n"
                + "X-Other-Hop: secret\r\n"
                + "X-Third-Hop: secret\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "TE: trailers\r\n"
                + "Trailer: X-T\r\n"
                + "Upgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                + "X-End: kept\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(backend.requests()).hasSize(before + 1);
        HttpEchoBackend.Recorded rec = backend.last();
        for (String h : new String[] {"X-Client-Hop", "X-Other-Hop", "X-Third-Hop", "Keep-Alive", "Proxy-Connection", "TE",
                "Trailer", "Upgrade"}) {
            assertThat(rec.headers().contains(h)).as(h).isFalse();
        }
        // Connection is the proxy's own: nginx's default "close" (proxy_http_version 1.1 here)
        assertThat(rec.headers().getAll("Connection")).containsExactly("close");
        assertThat(rec.headers().get("X-End")).isEqualTo("kept");
    }

    @Test
    void transferEncodingFromTheClientIsReframedNotCopied() throws Exception {
        RawHttpClient.Response r = exchange(port, "POST /te HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        HttpEchoBackend.Recorded rec = backend.last();
        // read whole first (proxy_request_buffering on), so it goes with its length, as nginx sends it
        assertThat(rec.headers().getAll("Transfer-Encoding")).isEmpty();
        assertThat(rec.headers().get("Content-Length")).isEqualTo("3");
        assertThat(rec.headers().get("X-Trailer")).isNull();
        assertThat(rec.bodyLength()).isEqualTo(3);
    }

    @Test
    void hopByHopResponseHeadersAndThoseNamedInConnectionNeverReachTheClient() throws Exception {
        RawHttpClient.Response r = exchange(port, "GET /hops HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("ok");
        for (String h : new String[] {"X-Resp-Hop", "X-Resp-Hop2", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade"}) {
            assertThat(r.header(h)).as(h).isNull();
        }
        assertThat(r.header("X-End-To-End")).isEqualTo("yes");
        assertThat(r.header("Connection").toLowerCase(Locale.ROOT)).isIn("keep-alive", "close");
        assertThat(r.headers().keySet()).doesNotContain("x-resp-hop", "x-resp-hop2");
    }

    @Test
    void clientSuppliedXRealIpIsReplaced() throws Exception {
        exchange(port, "GET /rip HTTP/1.1\r\nHost: a\r\nX-Real-IP: 6.6.6.6\r\n\r\n");
        assertThat(backend.last().headers().getAll("X-Real-IP")).containsExactly("127.0.0.1");
        exchange(port, "GET /rip HTTP/1.1\r\nHost: a\r\nX-Real-IP: 6.6.6.6\r\nx-real-ip: 7.7.7.7\r\n\r\n");
        assertThat(backend.last().headers().getAll("X-Real-IP")).containsExactly("127.0.0.1");
    }

    @Test
    void xForwardedForIsAppendedTo() throws Exception {
        exchange(port, "GET /xff HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n");
        assertThat(backend.last().headers().getAll("X-Forwarded-For")).containsExactly("1.2.3.4, 127.0.0.1");
        exchange(port, "GET /xff HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 5.6.7.8\r\n\r\n");
        assertThat(backend.last().headers().getAll("X-Forwarded-For")).containsExactly("1.2.3.4, 5.6.7.8, 127.0.0.1");
        exchange(port, "GET /xff HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(backend.last().headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
    }

    @Test
    void realIpFromATrustedProxyNamesTheClient() throws Exception {
        RawHttpClient.Response r = exchange(trusted, "GET /addr HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7, 127.0.0.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("203.0.113.7");
        // not recursive past an untrusted hop: the rightmost untrusted address wins
        r = exchange(trusted, "GET /addr HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.7, 127.0.0.1\r\n\r\n");
        assertThat(r.text()).isEqualTo("203.0.113.7");
        exchange(trusted, "GET /p HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 6.6.6.6\r\n\r\n");
        assertThat(backend.last().headers().getAll("X-Real-IP")).containsExactly("203.0.113.7");
    }

    @Test
    void realIpIgnoresNamesAndGarbageInTheHeader() throws Exception {
        for (String xff : new String[] {"evil.test", "not an address", "203.0.113.7, evil.test", "999.1.1.1", "", ",,,"}) {
            RawHttpClient.Response r = exchange(trusted, "GET /addr HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: " + xff + "\r\n\r\n");
            assertThat(r.text()).as(xff).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void realIpTakesOnlyDottedQuadsAndIpv6Literals() throws Exception {
        for (String xff : new String[] {"1.2.3", "1.2", "16909060"}) {
            RawHttpClient.Response r = exchange(trusted, "GET /addr HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: " + xff + "\r\n\r\n");
            assertThat(r.text()).as(xff).isEqualTo("127.0.0.1");
        }
    }

    /**
     * A name in X-Forwarded-For must be ignored, never looked up: RealIpResolver.literal() lets
     * anything made of hex digits, dots and colons through to InetAddress.getByName, which sends a
     * DNS query for "cafe.bad" from the event loop thread (blocking every connection on it). The
     * JDK's resolver cache (read through Unsafe: no --add-opens needed) shows whether a lookup happened.
     */
    @Test
    void realIpNeverLooksUpANameFromTheHeader() throws Exception {
        String name = "cafe" + Long.toHexString(System.nanoTime()) + ".bad";
        RawHttpClient.Response r = exchange(trusted, "GET /addr HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: " + name + "\r\n\r\n");
        assertThat(r.text()).isEqualTo("127.0.0.1");
        assertThat(jdkResolverCache()).as("names the JVM looked up").doesNotContain(name);
    }

    static java.util.Set<String> jdkResolverCache() throws Exception {
        java.net.InetAddress.getLoopbackAddress(); // the class is initialized
        java.lang.reflect.Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        sun.misc.Unsafe unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
        java.lang.reflect.Field cache = java.net.InetAddress.class.getDeclaredField("cache");
        java.util.Map<?, ?> map = (java.util.Map<?, ?>) unsafe.getObject(unsafe.staticFieldBase(cache), unsafe.staticFieldOffset(cache));
        java.util.Set<String> names = new java.util.HashSet<>();
        map.keySet().forEach(k -> names.add(String.valueOf(k)));
        return names;
    }

    @Test
    void spoofedXForwardedForChangesNothingWhenThePeerIsNotTrusted() throws Exception {
        RawHttpClient.Response r = exchange(trustsOthers, "GET /addr HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n\r\n");
        assertThat(r.text()).isEqualTo("127.0.0.1");
    }

    @Test
    void spoofedXForwardedForChangesNothingWithoutSetRealIpFrom() throws Exception {
        RawHttpClient.Response r = exchange(noRealIp, "GET /addr HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n");
        assertThat(r.text()).isEqualTo("127.0.0.1");
        exchange(noRealIp, "GET /p HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 6.6.6.6\r\n\r\n");
        assertThat(backend.last().headers().getAll("X-Real-IP")).containsExactly("127.0.0.1");
    }
}
