package io.ferry.module.ssi;

import io.ferry.http.Exchange;
import io.ferry.variable.Regex;
import io.ferry.variable.UnknownVariableException;
import io.ferry.variable.Variables;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.PatternSyntaxException;

/**
 * The variables of one SSI-processed response and what reads them: SSI's own (set, include set=),
 * looked up before the request's ones as nginx does; "$name" substitution with nginx's backslash
 * rules (ngx_http_ssi_evaluate_string); echo's encodings; the expressions of if and elif.
 */
final class SsiValues {
    /** The built-in, module and family variables; a name they lack may still be one `set` assigned. */
    private static final Variables REQUEST_VARIABLES = new Variables();

    private final Exchange ex;
    private final Map<String, String> own = new HashMap<>();
    /** nginx's default timefmt (ngx_http_ssi_timefmt). */
    static final String TIMEFMT = "%A, %d-%b-%Y %H:%M:%S %Z";
    String timefmt = TIMEFMT;

    SsiValues(Exchange ex) {
        this.ex = ex;
    }

    void set(String name, String value) {
        own.put(name.toLowerCase(Locale.ROOT), value);
    }

    /** A variable's value, or null when neither SSI nor the request has it. */
    String get(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        String value = own.get(key);
        if (value != null) {
            return value;
        }
        if (key.equals("date_local") || key.equals("date_gmt")) {
            return date(timefmt, key.equals("date_gmt"));
        }
        String assigned = ex.userVariable(key);
        if (assigned != null) {
            return assigned; // set wins over a built-in or family value of the same name, as in nginx
        }
        try {
            return REQUEST_VARIABLES.resolve(key).value(ex);
        } catch (UnknownVariableException e) {
            return null;
        }
    }

    /** Substitutes $name and ${name}; a backslash keeps the next \, ', " or $ as it is. */
    String evaluate(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                if (next != '\\' && next != '\'' && next != '"' && next != '$') {
                    out.append('\\');
                }
                out.append(next);
                i += 2;
            } else if (c == '$') {
                boolean bracket = i + 1 < text.length() && text.charAt(i + 1) == '{';
                int start = i + (bracket ? 2 : 1);
                int end = start;
                while (end < text.length() && isNameChar(text.charAt(end))) {
                    end++;
                }
                if (end == start || bracket && (end >= text.length() || text.charAt(end) != '}')) {
                    throw new IllegalArgumentException("invalid variable name in \"" + text + "\"");
                }
                String value = get(text.substring(start, end));
                if (value != null) {
                    out.append(value);
                }
                i = end + (bracket ? 1 : 0);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * nginx's if expr: "$a" is true when not empty; "LEFT = RIGHT" and "LEFT != RIGHT" compare
     * strings, or match a regex written /between slashes/ (its captures become $1..$9).
     */
    boolean test(String expr) {
        int i = 0;
        while (i < expr.length() && (isNameChar(expr.charAt(i)) || "${}\"'".indexOf(expr.charAt(i)) >= 0)) {
            i++;
        }
        String left = evaluate(expr.substring(0, i));
        while (i < expr.length() && expr.charAt(i) == ' ') {
            i++;
        }
        if (i == expr.length()) {
            return !left.isEmpty();
        }
        boolean negative;
        if (expr.charAt(i) == '=') {
            negative = false;
            i++;
        } else if (expr.startsWith("!=", i)) {
            negative = true;
            i += 2;
        } else {
            throw new IllegalArgumentException("invalid expression in \"" + expr + "\"");
        }
        while (i < expr.length() && expr.charAt(i) == ' ') {
            i++;
        }
        String right = expr.substring(i);
        boolean matches;
        if (right.length() > 1 && right.startsWith("/")) {
            if (!right.endsWith("/")) {
                throw new IllegalArgumentException("invalid expression in \"" + expr + "\"");
            }
            matches = matchRegex(evaluate(right.substring(1, right.length() - 1)), left);
        } else {
            matches = left.equals(evaluate(right.startsWith("\\/") ? right.substring(1) : right));
        }
        return matches != negative;
    }

    /** A match sets $1..$9 and the named groups, as nginx's ngx_http_regex_exec does for SSI. */
    private boolean matchRegex(String regex, String subject) {
        Regex re;
        try {
            re = Regex.compile(regex, false);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex \"" + regex + "\": " + e.getDescription());
        }
        Matcher m = re.pattern().matcher(subject);
        if (!m.find()) {
            return false;
        }
        for (int g = 1; g <= Math.min(9, m.groupCount()); g++) {
            own.put(Integer.toString(g), m.group(g) == null ? "" : m.group(g));
        }
        re.names().forEach((name, g) -> own.put(name.toLowerCase(Locale.ROOT), m.group(g) == null ? "" : m.group(g)));
        return true;
    }

    static String encode(String value, String encoding) {
        return switch (encoding) {
            case "none" -> value;
            case "url" -> urlEscape(value);
            default -> value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        };
    }

    /** ngx_escape_uri with NGX_ESCAPE_HTML: controls, space, " # % ' < > ? and bytes above 0x7e. */
    private static String urlEscape(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || "\"#%'<>?".indexOf(c) >= 0) {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /** $date_gmt or $date_local, now, in {@code fmt}. */
    static String date(String fmt, boolean gmt) {
        return format(fmt, ZonedDateTime.now(gmt ? ZoneId.of("GMT") : ZoneId.systemDefault()));
    }

    /** strftime's common conversions, for config timefmt and $date_local/$date_gmt. */
    static String format(String fmt, ZonedDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 == fmt.length()) {
                out.append(c);
                continue;
            }
            char conv = fmt.charAt(++i);
            switch (conv) {
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ROOT));
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ROOT));
                case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                case 'e' -> out.append(String.format("%2d", t.getDayOfMonth()));
                case 'H' -> out.append(String.format("%02d", t.getHour()));
                case 'I' -> out.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
                case 'M' -> out.append(String.format("%02d", t.getMinute()));
                case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'S' -> out.append(String.format("%02d", t.getSecond()));
                case 's' -> out.append(t.toEpochSecond());
                case 'Y' -> out.append(t.getYear());
                case 'y' -> out.append(String.format("%02d", t.getYear() % 100));
                case 'Z' -> out.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'z' -> out.append(t.getOffset().getId().replace(":", "").replace("Z", "+0000"));
                case '%' -> out.append('%');
                default -> out.append('%').append(conv);
            }
        }
        return out.toString();
    }

    private static boolean isNameChar(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
