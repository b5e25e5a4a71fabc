package io.ferry.log;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * open_log_file_cache max=N [inactive=TIME] [min_uses=N] [valid=TIME]: the descriptors of access
 * logs whose names have variables, as nginx's open file cache keeps them. An entry counts its uses;
 * its file stays open only once used min_uses times within inactive (else it is closed after each
 * write); the least recently used entry makes way for a new one beyond max; after valid the name is
 * looked at again and a file moved away from it is reopened.
 */
final class OpenLogFileCache {
    private final int max;
    private final long inactiveNanos;
    private final int minUses;
    private final long validNanos;
    /** Access order: the first entry is the least recently used. */
    private final LinkedHashMap<Path, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Entry {
        int uses;
        long accessed;
        long opened;
        Object fileKey;
        FileChannel channel;
    }

    OpenLogFileCache(int max, long inactiveNanos, int minUses, long validNanos) {
        this.max = max;
        this.inactiveNanos = inactiveNanos;
        this.minUses = minUses;
        this.validNanos = validNanos;
    }

    /** The cache an open_log_file_cache line describes, null for "off"; nginx's defaults and errors. */
    static OpenLogFileCache parse(Directive d) throws ConfException {
        long max = 0;
        long inactive = 10;
        long minUses = 1;
        long valid = 60;
        boolean off = false;
        for (String a : d.args()) {
            long n;
            if (a.startsWith("max=")) {
                n = max = number(a.substring(4));
            } else if (a.startsWith("inactive=")) {
                n = inactive = Values.seconds(a.substring(9));
            } else if (a.startsWith("min_uses=")) {
                n = minUses = number(a.substring(9));
            } else if (a.startsWith("valid=")) {
                n = valid = Values.seconds(a.substring(6));
            } else {
                n = a.equals("off") ? 0 : -1;
                off = true;
            }
            if (n < 0) {
                throw Values.error(d, "invalid \"open_log_file_cache\" parameter \"" + a + "\"");
            }
        }
        if (off) {
            return null;
        }
        if (max == 0) {
            throw Values.error(d, "\"open_log_file_cache\" must have \"max\" parameter");
        }
        return new OpenLogFileCache((int) Math.min(max, Integer.MAX_VALUE), TimeUnit.SECONDS.toNanos(inactive),
                (int) Math.min(minUses, Integer.MAX_VALUE), TimeUnit.SECONDS.toNanos(valid));
    }

    private static long number(String v) {
        return v.matches("[0-9]{1,18}") ? Long.parseLong(v) : -1;
    }

    /** Appends {@code bytes} to {@code path}, through a kept descriptor when there is one. */
    synchronized void write(Path path, ByteBuffer bytes) throws IOException {
        long now = System.nanoTime();
        expireInactive(now);
        Entry e = entries.get(path);
        if (e == null) {
            FileChannel opened = open(path);
            if (entries.size() >= max) {
                Iterator<Entry> lru = entries.values().iterator();
                close(lru.next());
                lru.remove();
            }
            e = new Entry();
            entries.put(path, e);
            e.channel = opened;
            e.opened = now;
            e.fileKey = fileKey(path);
        } else if (e.channel == null || now - e.opened >= validNanos && !Objects.equals(e.fileKey, fileKey(path))) {
            close(e);
            e.channel = open(path);
            e.opened = now;
            e.fileKey = fileKey(path);
        } else if (now - e.opened >= validNanos) {
            e.opened = now;
        }
        e.uses++;
        e.accessed = now;
        try {
            while (bytes.hasRemaining()) {
                e.channel.write(bytes);
            }
        } finally {
            if (e.uses < minUses) {
                close(e);
            }
        }
    }

    /** Closes every kept descriptor (reopen after logrotate, reload, exit); the names are opened anew. */
    synchronized void closeAll() {
        entries.values().forEach(OpenLogFileCache::close);
        entries.clear();
    }

    private void expireInactive(long now) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (now - e.accessed <= inactiveNanos) {
                return;
            }
            close(e);
            it.remove();
        }
    }

    static FileChannel open(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static void close(Entry e) {
        if (e.channel != null) {
            try {
                e.channel.close();
            } catch (IOException ignored) {
                // the descriptor is gone either way; a failed close loses nothing already written
            }
            e.channel = null;
        }
    }
}
