package io.ferry.cache;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.SharedZone;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One PREFIX_cache_path: the directory, its levels= subdirectory widths, the keys zone bounding the
 * index, what the manager evicts by ({@code inactive}, {@code maxSize} and {@code minFree}, 0 for no
 * limit), and how the manager and the loader pace their work.
 */
record CacheZone(Path dir, int[] levels, SharedZone keys, Duration inactive, long maxSize, long minFree, Pacing manager,
        Pacing loader) {

    /** nginx's manager_* and loader_*: at most {@code files} per iteration, lasting at most {@code thresholdMillis}, then a pause of {@code sleepMillis}. */
    record Pacing(int files, long sleepMillis, long thresholdMillis) {
        static final Pacing DEFAULT = new Pacing(100, 50, 200);

        Pacing with(Directive d, String param, String value) throws ConfException {
            return switch (param) {
                case "files" -> new Pacing(Values.positiveInt(d, value), sleepMillis, thresholdMillis);
                case "sleep" -> new Pacing(files, Values.time(d, value).toMillis(), thresholdMillis);
                case "threshold" -> new Pacing(files, sleepMillis, Values.time(d, value).toMillis());
                default -> throw Values.error(d, "invalid parameter \"" + param + "\"");
            };
        }
    }

    /** nginx's documented density: "one megabyte zone can store about 8 thousand keys". */
    private static final int NODE_BYTES = 128;

    static CacheZone parse(Directive d, Path prefix) throws ConfException {
        Path dir = prefix.resolve(d.args().get(0));
        int[] levels = new int[0];
        SharedZone keys = null;
        Duration inactive = Duration.ofMinutes(10);
        long maxSize = 0;
        long minFree = 0;
        Pacing manager = Pacing.DEFAULT;
        Pacing loader = Pacing.DEFAULT;
        for (String arg : d.args().subList(1, d.args().size())) {
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            if (arg.startsWith("levels=")) {
                levels = levels(d, arg);
            } else if (arg.startsWith("keys_zone=")) {
                keys = SharedZone.parse(d, arg.substring(5));
            } else if (arg.startsWith("inactive=")) {
                inactive = Values.time(d, arg.substring(9));
            } else if (arg.startsWith("max_size=")) {
                maxSize = Values.size(d, arg.substring(9));
            } else if (arg.startsWith("min_free=")) {
                minFree = Values.size(d, arg.substring(9));
            } else if (name.startsWith("manager_")) {
                manager = manager.with(d, name.substring(8), arg.substring(eq + 1));
            } else if (name.startsWith("loader_")) {
                loader = loader.with(d, name.substring(7), arg.substring(eq + 1));
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
        return new CacheZone(dir, levels, keys, inactive, maxSize, minFree, manager, loader);
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
