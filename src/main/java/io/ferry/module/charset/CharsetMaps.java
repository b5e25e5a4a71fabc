package io.ferry.module.charset;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.hook.BodyFilter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The charset_map tables of a configuration, and how one charset is recoded to another: through a
 * table written between them (either way round, as nginx), else through Java's own charsets when
 * it knows both names.
 */
final class CharsetMaps {
    static final CharsetMaps NONE = new CharsetMaps(Map.of());
    private static final String UTF8 = "utf-8";

    /** "from to" (lower case) → for each byte of {@code from}, its bytes in {@code to} (null: unmapped). */
    private final Map<String, byte[][]> tables;
    private CharsetMaps(Map<String, byte[][]> tables) {
        this.tables = tables;
    }

    static CharsetMaps parse(List<Directive> maps) throws ConfException {
        Map<String, byte[][]> tables = new HashMap<>();
        for (Directive d : maps) {
            String from = d.args().get(0).toLowerCase(Locale.ROOT);
            String to = d.args().get(1).toLowerCase(Locale.ROOT);
            if (from.equals(UTF8)) {
                throw Values.error(d, "\"charset_map\" from \"utf-8\" is not supported, write the map to \"utf-8\"");
            }
            byte[][] table = new byte[256][];
            for (Directive entry : d.block()) {
                if (entry.args().size() != 1) {
                    throw Values.error(entry, "invalid parameters number");
                }
                int code = hex(entry, entry.name(), 2)[0] & 0xff;
                table[code] = hex(entry, entry.args().get(0), to.equals(UTF8) ? 6 : 2);
            }
            if (tables.put(from + " " + to, table) != null) {
                throw Values.error(d, "duplicate \"charset_map\" between \"" + from + "\" and \"" + to + "\"");
            }
        }
        return new CharsetMaps(Map.copyOf(tables));
    }

    /** 1 to max/2 bytes written as hex digits, as charset_map's entries are. */
    private static byte[] hex(Directive d, String text, int maxDigits) throws ConfException {
        if (text.isEmpty() || text.length() % 2 != 0 || text.length() > maxDigits) {
            throw Values.invalid(d, text);
        }
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw Values.invalid(d, text);
        }
    }

    /** A body filter turning {@code from} into {@code to}, or null when no table or charset can. */
    BodyFilter recoder(String from, String to) {
        String f = from.toLowerCase(Locale.ROOT);
        String t = to.toLowerCase(Locale.ROOT);
        byte[][] forward = tables.get(f + " " + t);
        if (forward != null) {
            return t.equals(UTF8) ? new JavaRecoder(TableCharset.of(f, forward), StandardCharsets.UTF_8)
                    : new TableRecoder(forward, false);
        }
        byte[][] backward = tables.get(t + " " + f);
        if (backward != null) {
            return f.equals(UTF8) ? new JavaRecoder(StandardCharsets.UTF_8, TableCharset.of(t, backward))
                    : new TableRecoder(backward, true);
        }
        Charset source = java(f);
        Charset target = java(t);
        return source == null || target == null ? null : new JavaRecoder(source, target);
    }

    /** Whether recoding keeps the body's length (one byte for one), so Content-Length stays true. */
    boolean sameLength(String from, String to) {
        String f = from.toLowerCase(Locale.ROOT);
        String t = to.toLowerCase(Locale.ROOT);
        return !f.equals(UTF8) && !t.equals(UTF8) && (tables.containsKey(f + " " + t) || tables.containsKey(t + " " + f));
    }

    private static Charset java(String name) {
        try {
            return Charset.isSupported(name) ? Charset.forName(name) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
