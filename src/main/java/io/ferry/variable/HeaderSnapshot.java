package io.ferry.variable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An upstream response head's fields as $upstream_http_* reads them: taken as the upstream sent
 * them, before the proxy hides or rewrites any, in a flat array rather than a second header map.
 */
public final class HeaderSnapshot {
    private final String[] fields;

    private HeaderSnapshot(String[] fields) {
        this.fields = fields;
    }

    public static HeaderSnapshot of(Iterable<Map.Entry<String, String>> headers) {
        int n = 0;
        for (Map.Entry<String, String> ignored : headers) {
            n++;
        }
        String[] fields = new String[2 * n];
        int i = 0;
        for (Map.Entry<String, String> h : headers) {
            fields[i++] = h.getKey();
            fields[i++] = h.getValue();
        }
        return new HeaderSnapshot(fields);
    }

    /** The value of a field, the values of several joined by ", " as nginx joins them; null when absent. */
    public String get(String name) {
        String found = null;
        for (int i = 0; i < fields.length; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                found = found == null ? fields[i + 1] : found + ", " + fields[i + 1];
            }
        }
        return found;
    }

    /** $upstream_cookie_NAME: that cookie's value from the Set-Cookie fields, or null. */
    public String setCookie(String name) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            if (fields[i].equalsIgnoreCase("set-cookie")) {
                lines.add(fields[i + 1]);
            }
        }
        return Variables.setCookie(lines, name);
    }
}
