package io.ferry.cache;

import io.netty.util.concurrent.EventExecutor;
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
 * background after a start; the manager, on an event loop, deletes what is inactive and what
 * exceeds max_size, oldest first.
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

    /** Starts the manager on {@code loop}'s group once: a pass every second. */
    void manageOn(EventExecutor loop) {
        if (managed.compareAndSet(false, true)) {
            loop.scheduleAtFixedRate(this::manage, 1, 1, TimeUnit.SECONDS);
        }
    }

    void manage() {
        CacheZone z = zone;
        long now = System.currentTimeMillis();
        long oldest = now - z.inactive().toMillis();
        List<String> victims = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<String, Node>> it = nodes.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Node> e = it.next();
                Node n = e.getValue();
                boolean over = z.maxSize() > 0 && bytes > z.maxSize() && n.size >= 0;
                if (n.accessed >= oldest && !over) {
                    continue;
                }
                it.remove();
                if (n.size >= 0) {
                    bytes -= n.size;
                    victims.add(e.getKey());
                }
            }
        }
        delete(victims);
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
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(p -> {
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
