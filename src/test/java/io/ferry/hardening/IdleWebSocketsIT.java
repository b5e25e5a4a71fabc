package io.ferry.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.tunnel.Tunnel;
import io.ferry.tunnel.Tunnels;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand (at least 9,500) idle WebSockets through Ferry to the demo echo backend, held open at once; Ferry's
 * memory per open tunnel is measured in this JVM (Ferry runs in-process; the clients and the echo
 * backend run in child JVMs so that only Ferry's two descriptors per tunnel count here).
 */
@Timeout(360)
class IdleWebSocketsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    static final int WANTED = 10_000;
    /**
     * The README's figure is what a machine with a hard limit of 20,000 descriptors allows (two per
     * tunnel); below this count the test fails instead of measuring less than it claims.
     */
    static final int MINIMUM = 9_500;
    /**
     * The README's heap per idle WebSocket, held within 15% either way (measured 6.05 KiB, 6.66 before
     * the hand-over stopped keeping the HTTP codec and the send timer): tight enough that a rate pacer
     * kept in every connection's pipeline (7.03 KiB against 6.66) came close to failing.
     */
    static final double CLAIMED_HEAP_KIB = 6.05;
    static final double HEAP_TOLERANCE = 0.15;
    /**
     * "No buffer memory": an idle tunnel holds no buffer, so the allocators grow by less than the
     * smallest read buffer Netty would keep per connection (64 bytes) times the count.
     */
    static final long BUFFER_BYTES_PER_CONNECTION = 32;
    @TempDir
    Path prefix;

    /** A child JVM running {@link WsChild}; its stdout is read line by line. */
    static final class Child implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final Writer in;

        Child(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dio.netty.leakDetection.level=disabled", "-cp", System.getProperty("java.class.path"),
                    WsChild.class.getName()));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        }

        /** The next stdout line starting with {@code prefix}, split on spaces. */
        String[] expect(String prefix) throws IOException {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix + " ")) {
                    return line.split(" ");
                }
            }
            throw new IOException("child ended before printing " + prefix);
        }

        void say(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
        }

        @Override
        public void close() throws Exception {
            try {
                in.close();
            } catch (IOException e) {
                // already gone
            }
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    static long heapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    static long directBuffers() {
        long used = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        return used;
    }

    /**
     * The allocators Ferry's channels really use (the server bootstrap sets none, so Netty's default),
     * taken from the two channels of an open tunnel.
     */
    static Set<ByteBufAllocatorMetric> allocators(FerryInstance ferry) {
        Tunnel t = ferry.server().tunnels().all().iterator().next();
        Set<ByteBufAllocatorMetric> metrics = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ByteBufAllocator alloc : List.of(t.first().alloc(), t.second().alloc())) {
            assertThat(alloc).as("allocator of Ferry's channels").isInstanceOf(ByteBufAllocatorMetricProvider.class);
            metrics.add(((ByteBufAllocatorMetricProvider) alloc).metric());
        }
        return metrics;
    }

    /** Direct and heap bytes the allocators hold. */
    static long allocatorBytes(Set<ByteBufAllocatorMetric> metrics) {
        long used = 0;
        for (ByteBufAllocatorMetric m : metrics) {
            used += m.usedDirectMemory() + m.usedHeapMemory();
        }
        return used;
    }

    static void awaitTunnels(FerryInstance ferry, long count, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (ferry.server().tunnels().count(Tunnels.Kind.WEBSOCKET) != count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void tenThousandIdleWebSocketsAreHeldOpenAndStillEcho() throws Exception {
        try (Child echo = new Child("echo")) {
            int echoPort = Integer.parseInt(echo.expect("PORT")[1]);
            // Ferry holds two descriptors per tunnel (client side and upstream side) in this JVM
            Descriptors.require(2L * MINIMUM + 250, MINIMUM + " WebSocket tunnels");
            int n = (int) Math.min(WANTED, (Descriptors.left() - 250) / 2);
            System.out.printf("[hardening] WS: RLIMIT_NOFILE of this JVM is %d: %d tunnels (2 descriptors each)%n",
                    Descriptors.max(), n);
            int port = FerryInstance.freePort();
            try (FerryInstance ferry = FerryInstance.start(prefix, """
                    worker_processes 2;
                    events { worker_connections %d; }
                    http {
                        server {
                            listen 127.0.0.1:%d;
                            location /ws { proxy_pass http://127.0.0.1:%d; proxy_read_timeout 600s; }
                        }
                    }
                    """.formatted(n + 200, port, echoPort))) {
                // warm up (classes, JIT, allocator arenas), then let those tunnels go
                Set<ByteBufAllocatorMetric> allocators;
                try (Child warm = new Child("clients", Integer.toString(port), "200", "/ws")) {
                    String[] open = warm.expect("OPEN");
                    assertThat(Integer.parseInt(open[1])).isEqualTo(200);
                    awaitTunnels(ferry, 200, 20_000);
                    allocators = allocators(ferry);
                    warm.say("ECHO");
                    assertThat(Integer.parseInt(warm.expect("ECHO")[1])).isEqualTo(200);
                }
                awaitTunnels(ferry, 0, 20_000);
                long heap0 = heapAfterGc();
                long direct0 = directBuffers();
                long alloc0 = allocatorBytes(allocators);

                try (Child clients = new Child("clients", Integer.toString(port), Integer.toString(n), "/ws")) {
                    String[] open = clients.expect("OPEN");
                    int opened = Integer.parseInt(open[1]);
                    long openMillis = Long.parseLong(open[3]);
                    awaitTunnels(ferry, opened, 20_000);
                    long tunnels = ferry.server().tunnels().count(Tunnels.Kind.WEBSOCKET);
                    long heap1 = heapAfterGc();
                    long direct1 = directBuffers();
                    long alloc1 = allocatorBytes(allocators);
                    long heapPer = (heap1 - heap0) / Math.max(1, tunnels);
                    System.out.printf("[hardening] WS: %d idle WebSockets open at once through Ferry (%d failed) in %d ms; "
                                    + "Ferry's open WebSocket tunnels: %d%n",
                            opened, Integer.parseInt(open[2]), openMillis, tunnels);
                    System.out.printf("[hardening] WS memory: heap %.1f MiB -> %.1f MiB = %d bytes (%.2f KiB) per connection; "
                                    + "NIO direct buffers %d -> %d bytes; Ferry's allocators (%s) %d -> %d bytes%n",
                            heap0 / 1048576.0, heap1 / 1048576.0, heapPer, heapPer / 1024.0,
                            direct0, direct1, allocators.iterator().next().getClass().getSimpleName(), alloc0, alloc1);

                    clients.say("ECHO");
                    String[] echoed = clients.expect("ECHO");
                    System.out.printf("[hardening] WS: final message echoed on %s of %d connections (%s lost) in %s ms%n",
                            echoed[1], opened, echoed[2], echoed[3]);

                    assertThat(opened).isEqualTo(n);
                    assertThat(tunnels).isEqualTo(n);
                    assertThat(Integer.parseInt(echoed[1])).isEqualTo(n);
                    assertThat(heapPer / 1024.0).as("KiB of heap per idle WebSocket (README: %.1f)", CLAIMED_HEAP_KIB)
                            .isBetween(CLAIMED_HEAP_KIB * (1 - HEAP_TOLERANCE), CLAIMED_HEAP_KIB * (1 + HEAP_TOLERANCE));
                    assertThat(alloc1 - alloc0).as("bytes Ferry's allocators gained for %d idle WebSockets", n)
                            .isLessThan(BUFFER_BYTES_PER_CONNECTION * n);
                    assertThat(direct1 - direct0).as("JDK direct buffer bytes gained for %d idle WebSockets", n)
                            .isLessThan(BUFFER_BYTES_PER_CONNECTION * n);
                }
                awaitTunnels(ferry, 0, 30_000);
                assertThat(ferry.server().tunnels().count(Tunnels.Kind.WEBSOCKET)).isZero();
            }
        }
    }
}
