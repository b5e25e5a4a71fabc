package io.ferry.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys zone of one cache: every key's node (uses, last access, stored size), least recently
 * used first, never more than the zone holds. A loader fills it from the directory in the
 * background after a start; the manager, on a thread of its own, deletes what is inactive, what
 * exceeds max_size and what leaves less than min_free on the disk, oldest first.
 */
final class CacheIndex {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    static final class Node {
        int uses;
        long accessed;
        /** The stored entry's file size; -1 while the key has no entry. */
        long size = -1;
        /** An intercepted error status kept in place of an entry (nginx's node error), until {@code errorValid}. */
        int error;
        long errorValid;
    }

    private volatile CacheZone zone;
    private final LinkedHashMap<String, Node> nodes = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private final AtomicBoolean managed = new AtomicBoolean();
    private static final java.util.concurrent.ScheduledExecutorService MANAGER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cache manager");
                t.setDaemon(true);
                return t;
            });
    /** The keys being populated under PREFIX_cache_lock: a reload keeps them with the index. */
    final CacheLock lock = new CacheLock();
    /** The entries being refreshed, by file name (PREFIX_cache_use_stale updating): kept with the index. */
    final java.util.concurrent.ConcurrentHashMap<String, StaleUse.Claim> refreshing = new java.util.concurrent.ConcurrentHashMap<>();

    CacheIndex(CacheZone zone) {
        this.zone = zone;
        Thread loader = new Thread(this::load, "cache loader " + zone.name());
        loader.setDaemon(true);
        loader.start();
    }

    /** A reload keeps the index; its inactive and max_size follow the new configuration. */
    void configure(CacheZone zone) {
        this.zone = zone;
    }

    /** One more request for the key: how many there have been while the zone kept it. */
    int use(String hex, long now) {
        List<String> victims;
        int uses;
        synchronized (this) {
            Node n = nodes.computeIfAbsent(hex, k -> new Node());
            n.uses++;
            n.accessed = now;
            uses = n.uses;
            victims = overflow();
        }
        delete(victims);
        return uses;
    }

    /** A variant's file was used: it is as recent as the key's own. */
    synchronized void touch(String hex, long now) {
        Node n = nodes.get(hex);
        if (n != null) {
            n.accessed = now;
        }
    }

    void stored(String hex, long size, long now) {
        List<String> victims;
        synchronized (this) {
            Node n = nodes.computeIfAbsent(hex, k -> new Node());
            bytes += size - Math.max(0, n.size);
            n.size = size;
            n.error = 0;
            n.accessed = now;
            victims = overflow();
        }
        delete(victims);
    }

    /** An error status PREFIX_intercept_errors answered instead of the upstream, valid until {@code validUntil}. */
    synchronized void error(String hex, int status, long validUntil) {
        Node n = nodes.get(hex);
        if (n != null) {
            n.error = status;
            n.errorValid = validUntil;
        }
    }

    /** The key's kept error status while still valid, else 0. */
    synchronized int error(String hex, long now) {
        Node n = nodes.get(hex);
        return n == null || n.error == 0 || n.errorValid <= now ? 0 : n.error;
    }

    /** A full zone lets its least recently used key go, entry and all, as nginx does when it cannot allocate a node. */
    private List<String> overflow() {
        List<String> victims = new ArrayList<>();
        Iterator<Map.Entry<String, Node>> it = nodes.entrySet().iterator();
        while (nodes.size() > zone.capacity() && it.hasNext()) {
            Map.Entry<String, Node> e = it.next();
            it.remove();
            if (e.getValue().size >= 0) {
                bytes -= e.getValue().size;
                victims.add(e.getKey());
            }
        }
        return victims;
    }

    /** Starts this cache's manager once, on the thread all caches' managers share (disk work never runs on an event loop). */
    void manage() {
        if (managed.compareAndSet(false, true)) {
            MANAGER.schedule(this::managerPass, 1, TimeUnit.SECONDS);
        }
    }

    private void managerPass() {
        long next = 1000;
        try {
            next = evict();
        } catch (RuntimeException e) {
            LOG.warn("cache \"{}\": manager failed: {}", zone.name(), e.toString());
        }
        MANAGER.schedule(this::managerPass, next, TimeUnit.MILLISECONDS);
    }

    /**
     * One manager iteration: deletes, least recently used first, what was not used for inactive,
     * what exceeds max_size and what keeps the disk below min_free, at most manager_files entries;
     * the milliseconds until the next one: manager_sleep when work is left, else a second.
     */
    long evict() {
        CacheZone z = zone;
        long now = System.currentTimeMillis();
        long oldest = now - z.inactive().toMillis();
        // what the disk lacks of min_free; each entry deleted gives back its size
        long missing = z.minFree() > 0 ? z.minFree() - usableSpace(z.dir()) : 0;
        List<String> victims = new ArrayList<>();
        boolean more = false;
        synchronized (this) {
            Iterator<Map.Entry<String, Node>> it = nodes.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Node> e = it.next();
                Node n = e.getValue();
                if (n.accessed >= oldest) {
                    if (!(z.maxSize() > 0 && bytes > z.maxSize() || missing > 0)) {
                        // access order: every node after this one was used more recently
                        break;
                    }
                    if (n.size < 0) {
                        // a key counted for min_uses holds no disk space
                        continue;
                    }
                }
                if (victims.size() >= z.manager().files()) {
                    more = true;
                    break;
                }
                it.remove();
                if (n.size >= 0) {
                    bytes -= n.size;
                    missing -= n.size;
                    victims.add(e.getKey());
                }
            }
        }
        long start = System.nanoTime();
        delete(victims);
        more |= TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= z.manager().thresholdMillis();
        return more ? Math.max(1, z.manager().sleepMillis()) : 1000;
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            // a directory not made yet holds nothing to delete
            return Long.MAX_VALUE;
        }
    }

    private void delete(List<String> victims) {
        for (String hex : victims) {
            try {
                Files.deleteIfExists(zone.file(hex));
            } catch (IOException e) {
                LOG.warn("cache \"{}\": cannot delete {}: {}", zone.name(), zone.file(hex), e.getMessage());
            }
        }
    }

    /** Entries a previous run left are indexed; temporary files a crash left are deleted. */
    private void load() {
        Path dir = zone.dir();
        if (!Files.isDirectory(dir)) {
            return;
        }
        CacheZone.Pacing pacing = zone.loader();
        long[] iteration = {0, System.nanoTime()};
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(p -> {
                pace(pacing, iteration);
                String name = p.getFileName().toString();
                try {
                    if (CacheWriter.leftover(name)) {
                        Files.deleteIfExists(p);
                    } else if (name.length() == 32 && name.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                        if (a.isRegularFile()) {
                            loaded(name, a.size(), a.lastModifiedTime().toMillis());
                        }
                    }
                } catch (IOException e) {
                    // gone meanwhile: nothing to index
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("cache \"{}\": loading {} failed: {}", zone.name(), dir, e.getMessage());
        }
    }

    /** loader_files and loader_threshold end an iteration; loader_sleep pauses before the next. */
    private static void pace(CacheZone.Pacing pacing, long[] iteration) {
        if (++iteration[0] <= pacing.files()
                && System.nanoTime() - iteration[1] < TimeUnit.MILLISECONDS.toNanos(pacing.thresholdMillis())) {
            return;
        }
        try {
            Thread.sleep(pacing.sleepMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        iteration[0] = 1;
        iteration[1] = System.nanoTime();
    }

    private void loaded(String hex, long size, long modified) {
        synchronized (this) {
            if (nodes.containsKey(hex)) {
                return;
            }
            Node n = new Node();
            n.size = size;
            n.accessed = modified;
            nodes.put(hex, n);
            bytes += size;
        }
    }
}
