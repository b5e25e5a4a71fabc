package io.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Port numbers for configurations that must name one before anything binds it. A port checked
 * free and handed out is never handed out again in this JVM, and stays reserved against other test
 * JVMs on the machine (a byte-range lock at offset PORT of one shared file, dropped by the kernel
 * when the JVM exits). Ports come from outside the kernel's ephemeral range, so an outgoing
 * connection, which takes its local port from that range, cannot occupy one between the check and
 * the bind.
 */
final class FreePorts {
    /** Below this are well-known and registered services (memcached 11211, php-fpm 9000, ...). */
    private static final int LOWEST = 20_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    private static final List<FileLock> LOCKS = new ArrayList<>();
    private static FileChannel registry;
    private static int[] candidates;
    private static int next;

    private FreePorts() {
    }

    static synchronized int take() {
        try {
            if (candidates == null) {
                candidates = candidates();
                next = ThreadLocalRandom.current().nextInt(candidates.length);
                Path file = Path.of(System.getProperty("java.io.tmpdir"), "ferry-test-ports.lock");
                registry = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            for (int tried = 0; tried < candidates.length; tried++) {
                int port = candidates[next];
                next = (next + 1) % candidates.length;
                if (HANDED_OUT.contains(port)) {
                    continue;
                }
                FileLock lock = registry.tryLock(port, 1, false);
                if (lock == null) {
                    continue; // another test JVM holds it
                }
                if (bindable(port)) {
                    HANDED_OUT.add(port);
                    LOCKS.add(lock);
                    return port;
                }
                lock.release();
            }
            throw new IllegalStateException("no free port left in " + candidates.length + " candidates");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Without SO_REUSEADDR, so a port still in TIME_WAIT from an earlier test counts as taken. */
    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** LOWEST..65535 without the ephemeral range; all of it if that would leave too few. */
    private static int[] candidates() throws IOException {
        int low = 32_768;
        int high = 60_999;
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.isReadable(range)) {
            // not Files.readString: it trusts the size procfs reports and stops after the first byte
            String[] parts;
            try (InputStream in = Files.newInputStream(range)) {
                parts = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            }
            low = Integer.parseInt(parts[0]);
            high = Integer.parseInt(parts[1]);
        }
        List<Integer> ports = new ArrayList<>();
        for (int p = LOWEST; p <= 65_535; p++) {
            if (p < low || p > high) {
                ports.add(p);
            }
        }
        if (ports.size() < 1_000) {
            ports.clear();
            for (int p = LOWEST; p <= 65_535; p++) {
                ports.add(p);
            }
        }
        return ports.stream().mapToInt(Integer::intValue).toArray();
    }
}
