package io.ferry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ferry.conf.directive.ConfigLoader;
import io.ferry.testing.Dnsmasq;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `server NAME resolve` and `service=` against a real DNS server (dnsmasq) whose answers change
 * while a client sends requests without pause: peers join and leave without a reload, no request
 * fails, and a peer that stays keeps its state. Backends listen on 127.0.0.2-5 (all of 127/8 is
 * loopback on Linux), so one name's A records can point at different peers on one port.
 */
@Timeout(120)
class ResolveIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();
    static final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    static final List<HttpServer> backends = new CopyOnWriteArrayList<>();
    static Dnsmasq dns;
    static FerryInstance instance;
    static int port;
    static int srvPort1;
    static int srvPort2;
    static int streamPort;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        srvPort1 = FerryInstance.freePort();
        srvPort2 = FerryInstance.freePort();
        streamPort = FerryInstance.freePort();
        for (String ip : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4")) {
            backend(ip, port);
        }
        backend("127.0.0.5", srvPort1);
        backend("127.0.0.5", srvPort2);
        Path dir = Files.createTempDirectory("ferry-dnsmasq");
        dns = Dnsmasq.start(dir, "127.0.0.2 app.test", "127.0.0.3 app.test", "127.0.0.5 s1.test", "127.0.0.5 s2.test");
        dns.services("_http._tcp.svc.test,s1.test," + srvPort1 + ",0,3", "_http._tcp.svc.test,s2.test," + srvPort2 + ",0,1");
        instance = ferry.start(conf(100));
    }

    /** The configuration; {@code keepaliveRequests} changes group app for a reload that replaces it. */
    static String conf(int keepaliveRequests) {
        return """
                events { }
                http {
                    resolver 127.0.0.1:%3$d ipv6=off;
                    resolver_timeout 1s;
                    upstream app {
                        zone backends 64k;
                        resolver 127.0.0.1:%3$d valid=1s ipv6=off;
                        resolver_timeout 2s;
                        server app.test:%2$d resolve max_fails=5;
                        keepalive_requests %4$d;
                    }
                    upstream svc {
                        zone backends;
                        server svc.test service=http resolve;
                    }
                    server {
                        listen 127.0.0.1:%1$d;
                        add_header X-Addr $upstream_addr always;
                        location / { proxy_pass http://app; }
                        location /svc/ { proxy_pass http://svc; }
                    }
                }
                stream {
                    upstream tcp {
                        zone tcp 64k;
                        resolver 127.0.0.1:%3$d valid=1s ipv6=off;
                        server app.test:%2$d resolve;
                    }
                    server { listen 127.0.0.1:%5$d; proxy_pass tcp; }
                }
                """.formatted(ferry.port(), port, dns.port(), keepaliveRequests, streamPort);
    }

    static void backend(String ip, int p) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(ip, p), 64);
        String me = ip + ":" + p;
        served.put(me, new AtomicInteger());
        s.createContext("/", exchange -> {
            served.get(me).incrementAndGet();
            byte[] body = me.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.setExecutor(Executors.newFixedThreadPool(4));
        s.start();
        backends.add(s);
    }

    @AfterAll
    static void stop() {
        backends.forEach(s -> s.stop(0));
        if (dns != null) {
            dns.close();
        }
    }

    static int served(String ip, int p) {
        return served.get(ip + ":" + p).get();
    }

    static UpstreamGroup group(String name) {
        return instance.server().upstreams().groups().stream().filter(g -> g.config().name().equals(name)).findFirst()
                .orElseThrow();
    }

    static Peer peer(String group, String address) {
        return group(group).peers().stream().filter(p -> p.server().addressText().equals(address)).findFirst()
                .orElse(null);
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within 20 s; dnsmasq log:%n%s", what, dns.log()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Sends requests back to back on one keep-alive connection until stopped, keeping every one that failed. */
    static final class Traffic implements AutoCloseable {
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicInteger sent = new AtomicInteger();
        private final Thread thread;
        private volatile boolean running = true;

        Traffic(String path) {
            thread = new Thread(() -> {
                RawHttpClient c = null;
                while (running) {
                    try {
                        if (c == null) {
                            c = new RawHttpClient(ferry.port());
                        }
                        RawHttpClient.Response r = c.get(path);
                        sent.incrementAndGet();
                        if (r.status() != 200) {
                            failures.add(r.statusLine() + " from " + r.header("x-addr"));
                        }
                        if ("close".equalsIgnoreCase(r.header("connection"))) {
                            c.close(); // keepalive_requests reached: the server said so
                            c = null;
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                        c = null;
                    }
                }
            }, "resolve-traffic");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    @Test
    void peersFollowTheNameWithoutAReloadAndNoRequestFails() throws Exception {
        await("both addresses of app.test resolved", () -> group("app").peers().size() == 2);
        Peer stays = peer("app", "127.0.0.2:" + port);
        // state a peer that stays must keep: one failure counted (of max_fails=5), so it is still used
        group("app").failed(stays, "testing");
        try (Traffic traffic = new Traffic("/")) {
            await("traffic on both peers", () -> served("127.0.0.2", port) > 0 && served("127.0.0.3", port) > 0);

            dns.hosts("127.0.0.2 app.test", "127.0.0.3 app.test", "127.0.0.4 app.test",
                    "127.0.0.5 s1.test", "127.0.0.5 s2.test");
            long added = System.nanoTime();
            await("the added peer getting requests", () -> served("127.0.0.4", port) > 0);
            long joinedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - added);

            dns.hosts("127.0.0.2 app.test", "127.0.0.4 app.test", "127.0.0.5 s1.test", "127.0.0.5 s2.test");
            long removed = System.nanoTime();
            await("the removed peer gone from the group", () -> peer("app", "127.0.0.3:" + port) == null);
            long leftMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removed);
            Thread.sleep(300); // a request that picked 127.0.0.3 just before it left may still be on its way
            int removedCount = served("127.0.0.3", port);
            int before2 = served("127.0.0.2", port);
            int before4 = served("127.0.0.4", port);
            Thread.sleep(1500);
            traffic.close();

            System.out.printf("resolve: %d requests, %d failed; 127.0.0.4 joined after %d ms, 127.0.0.3 left after %d ms;"
                    + " served .2=%d .3=%d .4=%d%n", traffic.sent.get(), traffic.failures.size(), joinedMs, leftMs,
                    served("127.0.0.2", port), removedCount, served("127.0.0.4", port));
            assertThat(traffic.failures).isEmpty();
            assertThat(served("127.0.0.3", port)).as("requests to the removed peer after it left").isEqualTo(removedCount);
            assertThat(served("127.0.0.2", port)).isGreaterThan(before2);
            assertThat(served("127.0.0.4", port)).isGreaterThan(before4);
        }
        assertThat(peer("app", "127.0.0.2:" + port)).as("the peer that stayed").isSameAs(stays);
        assertThat(stays.failures()).isEqualTo(1);
        assertThat(group("app").peers()).extracting(p -> p.server().addressText())
                .containsExactlyInAnyOrder("127.0.0.2:" + port, "127.0.0.4:" + port);
    }

    @Test
    void aReloadThatChangesTheGroupStartsFromTheAddressesItHad() throws Exception {
        await("app.test resolved", () -> !group("app").peers().isEmpty());
        try (Traffic traffic = new Traffic("/")) {
            for (int i = 1; i <= 5; i++) {
                Path confFile = ferry.prefix().resolve("conf/ferry.conf");
                Files.writeString(confFile, conf(100 + i));
                instance.server().reload(ConfigLoader.load(ferry.prefix(), confFile, null).config());
                UpstreamGroup replaced = group("app");
                assertThat(replaced.config().keepaliveRequests()).isEqualTo(100 + i);
                assertThat(replaced.peers()).as("peers of the new group right after the reload").isNotEmpty();
                Thread.sleep(200);
            }
            traffic.close();
            System.out.printf("resolve: 5 reloads under traffic: %d requests, %d failed%n", traffic.sent.get(),
                    traffic.failures.size());
            assertThat(traffic.failures).isEmpty();
        }
    }

    @Test
    void streamUpstreamsFollowTheNameToo() throws Exception {
        UpstreamGroup tcp = instance.server().streams().upstreams().groups().stream()
                .filter(g -> g.config().name().equals("tcp")).findFirst().orElseThrow();
        await("the stream group has app.test's addresses", () -> addresses(tcp).equals(addresses(group("app"))));
        assertThat(addresses(tcp)).isNotEmpty();
        for (int i = 0; i < 4; i++) {
            RawHttpClient.Response r = RawHttpClient.getOnce(streamPort, "/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(addresses(tcp)).contains(r.text());
        }
    }

    static java.util.Set<String> addresses(UpstreamGroup g) {
        return g.peers().stream().map(p -> p.server().addressText()).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void serviceRecordsGiveNamesPortsAndWeights() throws Exception {
        await("both SRV targets resolved", () -> group("svc").peers().size() == 2);
        assertThat(group("svc").peers()).extracting(p -> p.server().name() + " " + p.server().addressText() + " w"
                + p.server().weight()).containsExactlyInAnyOrder("s1.test 127.0.0.5:" + srvPort1 + " w3",
                "s2.test 127.0.0.5:" + srvPort2 + " w1");
        int one = served("127.0.0.5", srvPort1);
        int two = served("127.0.0.5", srvPort2);
        for (int i = 0; i < 40; i++) {
            assertThat(ferry.get("/svc/").status()).isEqualTo(200);
        }
        int weighted1 = served("127.0.0.5", srvPort1) - one;
        int weighted2 = served("127.0.0.5", srvPort2) - two;
        System.out.printf("resolve: SRV weights 3:1 served %d:%d of 40%n", weighted1, weighted2);
        assertThat(weighted1).isEqualTo(30);
        assertThat(weighted2).isEqualTo(10);

        Peer stays = peer("svc", "127.0.0.5:" + srvPort1);
        try (Traffic traffic = new Traffic("/svc/")) {
            // s2 moves to a lower priority: it becomes a backup, and dnsmasq is down while it restarts
            dns.services("_http._tcp.svc.test,s1.test," + srvPort1 + ",0,3",
                    "_http._tcp.svc.test,s2.test," + srvPort2 + ",10,1");
            await("s2 a backup", () -> group("svc").peers().stream()
                    .anyMatch(p -> p.server().name().equals("s2.test") && p.server().backup()));
            Thread.sleep(300); // a request that picked s2 just before the change may still be on its way
            int backupCount = served("127.0.0.5", srvPort2);
            Thread.sleep(1000);
            traffic.close();
            System.out.printf("resolve: SRV change under traffic: %d requests, %d failed%n", traffic.sent.get(),
                    traffic.failures.size());
            assertThat(traffic.failures).isEmpty();
            assertThat(served("127.0.0.5", srvPort2)).as("a backup gets nothing while the primary is up")
                    .isEqualTo(backupCount);
        }
        assertThat(peer("svc", "127.0.0.5:" + srvPort1)).isSameAs(stays);
    }
}
