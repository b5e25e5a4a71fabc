package io.ferry.module.autoindex;

import io.ferry.http.syntax.HttpDate;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A directory listing in nginx's four formats, byte for byte as ngx_http_autoindex_module writes
 * them. Names are bytes, as on disk: the html page cuts a name to 50 characters (counted in UTF-8
 * characters when the response's charset is utf-8, else in bytes) and ends a cut one with "..&gt;".
 */
final class AutoindexPage {
    static final int NAME_LEN = 50;
    private static final String[] MONTHS =
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /** One directory entry; {@code file} and {@code dir} both false for anything else (a dangling link). */
    record Entry(byte[] name, boolean dir, boolean file, long mtime, long size) {
        String type() {
            return dir ? "directory" : file ? "file" : "other";
        }
    }

    /** Directories first, then names in byte order. */
    static final Comparator<Entry> ORDER = Comparator.comparing((Entry e) -> !e.dir())
            .thenComparing(Entry::name, Arrays::compareUnsigned);

    private AutoindexPage() {
    }

    /**
     * The html page for {@code uri}; {@code offset} is added to each time (autoindex_localtime),
     * sizes exact or scaled to K/M/G.
     */
    static byte[] html(byte[] uri, List<Entry> entries, boolean utf8, boolean exactSize, ZoneOffset offset) {
        Out out = new Out();
        out.ascii("<html>\r\n<head><title>Index of ").escapeHtml(uri, uri.length)
                .ascii("</title></head>\r\n<body>\r\n<h1>Index of ").escapeHtml(uri, uri.length)
                .ascii("</h1><hr><pre><a href=\"../\">../</a>\r\n");
        for (Entry e : entries) {
            byte[] name = e.name();
            out.ascii("<a href=\"").escapeUriComponent(name);
            if (e.dir()) {
                out.write('/');
            }
            out.ascii("\">");
            int len = utf8 ? utf8Length(name) : name.length;
            if (name.length != len) {
                out.escapeHtml(name, utf8Prefix(name, len > NAME_LEN ? NAME_LEN - 3 : NAME_LEN));
            } else {
                out.escapeHtml(name, len > NAME_LEN ? NAME_LEN - 3 : len);
            }
            if (len > NAME_LEN) {
                out.ascii("..&gt;</a>");
            } else {
                if (e.dir() && NAME_LEN - len > 0) {
                    out.write('/');
                    len++;
                }
                out.ascii("</a>").ascii(" ".repeat(NAME_LEN - len));
            }
            ZonedDateTime t = Instant.ofEpochSecond(e.mtime()).atOffset(offset).toZonedDateTime();
            out.ascii(String.format(Locale.ROOT, " %02d-%s-%d %02d:%02d ", t.getDayOfMonth(),
                    MONTHS[t.getMonthValue() - 1], t.getYear(), t.getHour(), t.getMinute()));
            out.ascii(size(e, exactSize)).ascii("\r\n");
        }
        return out.ascii("</pre><hr></body>\r\n</html>\r\n").toByteArray();
    }

    private static String size(Entry e, boolean exact) {
        if (exact) {
            return e.dir() ? "                  -" : String.format(Locale.ROOT, "%19d", e.size());
        }
        if (e.dir()) {
            return "      -";
        }
        long length = e.size();
        long unit;
        char scale;
        if (length > 1024L * 1024 * 1024 - 1) {
            unit = 1024L * 1024 * 1024;
            scale = 'G';
        } else if (length > 1024 * 1024 - 1) {
            unit = 1024 * 1024;
            scale = 'M';
        } else if (length > 9999) {
            unit = 1024;
            scale = 'K';
        } else {
            return String.format(Locale.ROOT, " %6d", length);
        }
        long n = length / unit + (length % unit > unit / 2 - 1 ? 1 : 0);
        return String.format(Locale.ROOT, "%6d%c", n, scale);
    }

    /** json, or jsonp when {@code callback} is not null. */
    static byte[] json(List<Entry> entries, String callback) {
        Out out = new Out();
        if (callback != null) {
            out.ascii("/* callback */\r\n" + callback + "(");
        }
        out.write('[');
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            out.ascii("\r\n{ \"name\":\"").escapeJson(e.name()).ascii("\", \"type\":\"").ascii(e.type())
                    .ascii("\", \"mtime\":\"").ascii(HttpDate.format(e.mtime()));
            out.ascii(e.file() ? "\", \"size\":" + e.size() : "\"");
            out.ascii(i == entries.size() - 1 ? " }" : " },");
        }
        out.ascii("\r\n]");
        if (callback != null) {
            out.ascii(");");
        }
        return out.toByteArray();
    }

    static byte[] xml(List<Entry> entries) {
        Out out = new Out();
        out.ascii("<?xml version=\"1.0\"?>\r\n<list>\r\n");
        for (Entry e : entries) {
            ZonedDateTime t = Instant.ofEpochSecond(e.mtime()).atZone(ZoneOffset.UTC);
            out.ascii("<" + e.type() + " mtime=\"" + String.format(Locale.ROOT, "%4d-%02d-%02dT%02d:%02d:%02dZ",
                    t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
            if (e.file()) {
                out.ascii("\" size=\"" + e.size());
            }
            out.ascii("\">").escapeHtml(e.name(), e.name().length).ascii("</" + e.type() + ">\r\n");
        }
        return out.ascii("</list>\r\n").toByteArray();
    }

    /** Characters in valid UTF-8, or the byte count when it is not (nginx's ngx_utf8_length). */
    static int utf8Length(byte[] s) {
        int chars = 0;
        for (int i = 0; i < s.length; chars++) {
            int n = sequence(s, i);
            if (n < 0) {
                return s.length;
            }
            i += n;
        }
        return chars;
    }

    /** How many bytes the first {@code chars} characters take (the name is valid UTF-8). */
    private static int utf8Prefix(byte[] s, int chars) {
        int i = 0;
        for (int c = 0; c < chars && i < s.length; c++) {
            i += sequence(s, i);
        }
        return i;
    }

    /** The length of the UTF-8 sequence at {@code i}, or -1 when it is not a valid one. */
    private static int sequence(byte[] s, int i) {
        int b = s[i] & 0xff;
        int n = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : -1;
        if (n < 0 || i + n > s.length) {
            return -1;
        }
        for (int k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return -1;
            }
        }
        return n;
    }

    /** The bytes of a page, with nginx's escapes. */
    private static final class Out extends ByteArrayOutputStream {
        private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

        Out ascii(String s) {
            writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** ngx_escape_html: &lt; &gt; &amp; &quot;, over the first {@code n} bytes. */
        Out escapeHtml(byte[] s, int n) {
            for (int i = 0; i < n; i++) {
                switch (s[i]) {
                    case '<' -> ascii("&lt;");
                    case '>' -> ascii("&gt;");
                    case '&' -> ascii("&amp;");
                    case '"' -> ascii("&quot;");
                    default -> write(s[i]);
                }
            }
            return this;
        }

        /** ngx_escape_uri's URI component set: all but letters, digits and "-._~" as %XX. */
        Out escapeUriComponent(byte[] s) {
            for (byte b : s) {
                int c = b & 0xff;
                if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                        || c == '-' || c == '.' || c == '_' || c == '~') {
                    write(c);
                } else {
                    write('%');
                    write(HEX[c >> 4]);
                    write(HEX[c & 0xf]);
                }
            }
            return this;
        }

        /** ngx_escape_json: backslash before " and \, control characters as \n, \r, \t, \b, \f or \\u00XX. */
        Out escapeJson(byte[] s) {
            for (byte b : s) {
                int c = b & 0xff;
                if (c == '"' || c == '\\') {
                    write('\\');
                    write(c);
                } else if (c <= 0x1f) {
                    switch (c) {
                        case '\n' -> ascii("\\n");
                        case '\r' -> ascii("\\r");
                        case '\t' -> ascii("\\t");
                        case '\b' -> ascii("\\b");
                        case '\f' -> ascii("\\f");
                        default -> ascii(String.format(Locale.ROOT, "\\u00%02x", c));
                    }
                } else {
                    write(c);
                }
            }
            return this;
        }
    }
}
