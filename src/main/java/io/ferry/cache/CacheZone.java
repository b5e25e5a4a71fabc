package io.ferry.cache;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.SharedZone;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One PREFIX_cache_path: the directory, its levels= subdirectory widths, the keys zone bounding the
 * index, and what the manager evicts by ({@code inactive}, {@code maxSize}, 0 for no limit).
 */
record CacheZone(Path dir, int[] levels, SharedZone keys, Duration inactive, long maxSize) {
    /** nginx's documented density: "one megabyte zone can store about 8 thousand keys". */
    private static final int NODE_BYTES = 128;

    static CacheZone parse(Directive d, Path prefix) throws ConfException {
        Path dir = prefix.resolve(d.args().get(0));
        int[] levels = new int[0];
        SharedZone keys = null;
        Duration inactive = Duration.ofMinutes(10);
        long maxSize = 0;
        for (String arg : d.args().subList(1, d.args().size())) {
            if (arg.startsWith("levels=")) {
                levels = levels(d, arg);
            } else if (arg.startsWith("keys_zone=")) {
                keys = SharedZone.parse(d, arg.substring(5));
            } else if (arg.startsWith("inactive=")) {
                inactive = Values.time(d, arg.substring(9));
            } else if (arg.startsWith("max_size=")) {
                maxSize = Values.size(d, arg.substring(9));
            } else if (arg.equals("use_temp_path=on") || arg.equals("use_temp_path=off")) {
                // Ferry always writes an entry's temporary file in the cache directory itself (see README)
                continue;
            } else {
                throw Values.error(d, "invalid parameter \"" + arg + "\"");
            }
        }
        if (keys == null) {
            throw Values.error(d, "\"" + d.name() + "\" must have \"keys_zone\" parameter");
        }
        return new CacheZone(dir, levels, keys, inactive, maxSize);
    }

    /** levels=1:2: at most three levels, each one or two hex digits of the name's end. */
    private static int[] levels(Directive d, String arg) throws ConfException {
        String[] parts = arg.substring(7).split(":", -1);
        if (parts.length > 3) {
            throw Values.error(d, "invalid \"levels\" \"" + arg.substring(7) + "\"");
        }
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].equals("1") && !parts[i].equals("2")) {
                throw Values.error(d, "invalid \"levels\" \"" + arg.substring(7) + "\"");
            }
            out[i] = parts[i].charAt(0) - '0';
        }
        return out;
    }

    String name() {
        return keys.name();
    }

    /** How many keys the zone's index holds before the least recently used one goes. */
    int capacity() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, keys.size() / NODE_BYTES));
    }

    /** nginx's placement: levels=1:2 puts c3...29c under c/29/, the last characters of the MD5 first. */
    Path file(String hex) {
        Path p = dir;
        int end = hex.length();
        for (int width : levels) {
            p = p.resolve(hex.substring(end - width, end));
            end -= width;
        }
        return p.resolve(hex);
    }

    /** The index, kept across a reload while the zone's name and size stay the same, as nginx's shared memory. */
    CacheIndex index() {
        CacheIndex index = keys.state("cache " + dir, () -> new CacheIndex(this));
        index.configure(this);
        return index;
    }
}
