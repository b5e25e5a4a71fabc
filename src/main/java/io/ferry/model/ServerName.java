package io.ferry.model;

import java.util.Locale;
import java.util.regex.Pattern;

/** One server_name entry: exact, "*.suffix" / ".suffix", "prefix.*", or "~regex". */
public record ServerName(String text, Kind kind, Pattern regex) {
    public enum Kind { EXACT, LEADING_WILDCARD, TRAILING_WILDCARD, REGEX }

    public static ServerName parse(String text) {
        if (text.startsWith("~")) {
            return new ServerName(text, Kind.REGEX, Pattern.compile(text.substring(1), Pattern.CASE_INSENSITIVE));
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
