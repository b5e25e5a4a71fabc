package io.ferry.model;

import java.util.Locale;
import io.ferry.variable.Regex;

/** One server_name entry: exact, "*.suffix" / ".suffix", "prefix.*", or "~regex". */
public record ServerName(String text, Kind kind, Regex regex) {
    public enum Kind { EXACT, LEADING_WILDCARD, TRAILING_WILDCARD, REGEX }

    public static ServerName parse(String text) {
        if (text.startsWith("~")) {
            return new ServerName(text, Kind.REGEX, Regex.compile(text.substring(1), true));
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("*.") || lower.startsWith(".")) {
            return new ServerName(lower, Kind.LEADING_WILDCARD, null);
        }
        if (lower.endsWith(".*")) {
            return new ServerName(lower, Kind.TRAILING_WILDCARD, null);
        }
        return new ServerName(lower, Kind.EXACT, null);
    }
}
