package io.ferry.gateway;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How an upstream response is buffered, from nginx's PREFIX_buffering family (proxy_, fastcgi_):
 * {@code memory} is what PREFIX_buffers hold, {@code busy} (PREFIX_busy_buffers_size) the most sent
 * to the client at once, {@code maxTempFile} (PREFIX_max_temp_file_size, 0: none) and
 * {@code tempWriteSize} (PREFIX_temp_file_write_size) bound the temporary file under {@code tempPath}
 * (PREFIX_temp_path). {@code ignored} are the PREFIX_ignore_headers; {@code ignoreClientAbort}
 * keeps the upstream request going after the client went away.
 */
public record BufferSettings(boolean on, long memory, long busy, long maxTempFile, long tempWriteSize,
        TempFile.Place tempPath, Set<Ignored> ignored, boolean ignoreClientAbort) {

    /** PREFIX_ignore_headers' keywords; the caching ones are read by the cache's freshness rules. */
    public enum Ignored {
        X_ACCEL_REDIRECT, X_ACCEL_EXPIRES, X_ACCEL_LIMIT_RATE, X_ACCEL_BUFFERING, X_ACCEL_CHARSET, EXPIRES,
        CACHE_CONTROL, SET_COOKIE, VARY
    }

    private static final long DEFAULT_MAX_TEMP = 1024L * 1024 * 1024;

    /**
     * Whether this response is buffered: X-Accel-Buffering yes|no from the upstream decides unless
     * PREFIX_ignore_headers names it, else PREFIX_buffering does: these settings, or null to stream.
     */
    public BufferSettings forResponse(String accelBuffering) {
        boolean buffered = on;
        if (accelBuffering != null && !ignored.contains(Ignored.X_ACCEL_BUFFERING)) {
            if (accelBuffering.equalsIgnoreCase("yes")) {
                buffered = true;
            } else if (accelBuffering.equalsIgnoreCase("no")) {
                buffered = false;
            }
        }
        return buffered ? this : null;
    }

    /** The family of {@code prefix} at {@code level}, checked as nginx's merge checks it; {@code bufferSize} is PREFIX_buffer_size. */
    public static BufferSettings of(Level level, String prefix, long bufferSize) throws ConfException {
        boolean on = level.flag(prefix + "_buffering", true);
        Directive buffersD = level.inherited(prefix + "_buffers");
        long number = 8;
        long size = 8192;
        if (buffersD != null) {
            Values.buffers(buffersD);
            number = Values.positiveInt(buffersD, buffersD.args().get(0));
            size = Values.size(buffersD, buffersD.args().get(1));
            if (number < 2) {
                throw Values.error(buffersD, "there must be at least 2 \"" + prefix + "_buffers\"");
            }
        }
        long floor = Math.max(bufferSize, size);
        String floorText = "the maximum of the value of \"" + prefix + "_buffer_size\" and one of the \"" + prefix + "_buffers\"";
        Directive busyD = level.inherited(prefix + "_busy_buffers_size");
        long busy = busyD == null ? 2 * floor : Values.size(busyD, busyD.args().get(0));
        Directive at = busyD != null ? busyD : buffersD != null ? buffersD : level.inherited(prefix + "_buffer_size");
        if (busy < floor) {
            throw Values.error(at, "\"" + prefix + "_busy_buffers_size\" must be equal to or greater than " + floorText);
        }
        if (busy >= (number - 1) * size) {
            throw Values.error(at, "\"" + prefix + "_busy_buffers_size\" must be less than the size of all \""
                    + prefix + "_buffers\" minus one buffer");
        }
        Directive writeD = level.inherited(prefix + "_temp_file_write_size");
        long write = writeD == null ? 2 * floor : Values.size(writeD, writeD.args().get(0));
        if (write < floor) {
            throw Values.error(writeD != null ? writeD : at, "\"" + prefix + "_temp_file_write_size\" must be equal to or greater than "
                    + floorText);
        }
        Directive maxD = level.inherited(prefix + "_max_temp_file_size");
        long max = maxD == null ? DEFAULT_MAX_TEMP : Values.size(maxD, maxD.args().get(0));
        if (max != 0 && max < floor) {
            throw Values.error(maxD != null ? maxD : at, "\"" + prefix + "_max_temp_file_size\" must be equal to zero to disable "
                    + "temporary files usage or must be equal to or greater than " + floorText);
        }
        return new BufferSettings(on, number * size, busy, max, write, tempPath(level, prefix), ignored(level, prefix),
                level.flag(prefix + "_ignore_client_abort", false));
    }

    /** PREFIX_temp_path PATH [L1 [L2 [L3]]], each level 1 or 2 characters of the file's name; default PREFIX_temp under the prefix. */
    private static TempFile.Place tempPath(Level level, String prefix) throws ConfException {
        Directive d = level.inherited(prefix + "_temp_path");
        if (d == null) {
            return new TempFile.Place(level.prefix().resolve(prefix + "_temp"), new int[0]);
        }
        int[] levels = new int[d.args().size() - 1];
        for (int i = 0; i < levels.length; i++) {
            String v = d.args().get(i + 1);
            if (!v.equals("1") && !v.equals("2")) {
                throw Values.invalid(d, v);
            }
            levels[i] = v.charAt(0) - '0';
        }
        return new TempFile.Place(level.prefix().resolve(Path.of(d.args().get(0))), levels);
    }

    private static Set<Ignored> ignored(Level level, String prefix) throws ConfException {
        Set<Ignored> out = EnumSet.noneOf(Ignored.class);
        // repeated lines add up, as nginx's bitmask directives
        for (Directive d : level.inheritedAll(prefix + "_ignore_headers")) {
            for (String arg : d.args()) {
                try {
                    out.add(Ignored.valueOf(arg.toUpperCase(Locale.ROOT).replace('-', '_')));
                } catch (IllegalArgumentException e) {
                    throw Values.invalid(d, arg);
                }
            }
        }
        return out;
    }

    /** The family's rows for a module: PREFIX_buffering and the rest, at http, server and location level. */
    public static void directives(DirectiveRows rows, String prefix, Set<Context> contexts) {
        for (String name : List.of("_buffering", "_ignore_client_abort", "_busy_buffers_size", "_max_temp_file_size",
                "_temp_file_write_size")) {
            rows.one(prefix + name, contexts);
        }
        rows.add(prefix + "_buffers", contexts, 2, 2, null, false);
        rows.add(prefix + "_temp_path", contexts, 1, 4, null, false);
        rows.add(prefix + "_ignore_headers", contexts, 1, DirectiveRows.ANY, null, true);
    }
}
