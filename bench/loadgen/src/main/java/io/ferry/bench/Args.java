package io.ferry.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value} pairs; everything after a lone {@code --} is kept as the rest (a command line). */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final List<String> rest = new ArrayList<>();

    Args(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--")) {
                rest.addAll(List.of(argv).subList(i + 1, argv.length));
                break;
            }
            if (!a.startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --key value at " + a);
            }
            values.put(a.substring(2), argv[++i]);
        }
    }

    String str(String key, String def) {
        String v = values.get(key);
        if (v == null && def == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v == null ? def : v;
    }

    /** The value, or null when the option is absent. */
    String opt(String key) {
        return values.get(key);
    }

    int integer(String key, int def) {
        String v = values.get(key);
        return v == null ? def : Integer.parseInt(v);
    }

    double dbl(String key, double def) {
        String v = values.get(key);
        return v == null ? def : Double.parseDouble(v);
    }

    /** {@code name=value,name=value} in the given order. */
    Map<String, String> pairs(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : str(key, null).split(",")) {
            int eq = p.indexOf('=');
            out.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return out;
    }

    List<String> rest() {
        return rest;
    }
}
