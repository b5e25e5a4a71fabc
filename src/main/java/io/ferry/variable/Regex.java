package io.ferry.variable;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCRE-style regex from the configuration (location, server_name, map), compiled for Java: the
 * PCRE spellings of named groups, (?P&lt;n&gt;…) and (?'n'…), are accepted, and the group names are
 * kept so a match can serve $name as well as $1..$9.
 */
public final class Regex {
    private final Pattern pattern;
    private final Map<String, Integer> names;

    private Regex(Pattern pattern, Map<String, Integer> names) {
        this.pattern = pattern;
        this.names = names;
    }

    /** @throws java.util.regex.PatternSyntaxException for an invalid expression */
    public static Regex compile(String pcre, boolean caseless) {
        Map<String, Integer> names = new HashMap<>();
        String java = translate(pcre, names);
        return new Regex(Pattern.compile(java, caseless ? Pattern.CASE_INSENSITIVE : 0), Map.copyOf(names));
    }

    public Pattern pattern() {
        return pattern;
    }

    public Map<String, Integer> names() {
        return names;
    }

    /** The first match anywhere in {@code input} (nginx regexes are unanchored unless written with ^), or null. */
    public Captures find(CharSequence input) {
        Matcher m = pattern.matcher(input);
        return m.find() ? new Captures(m.toMatchResult(), names) : null;
    }

    /** Rewrites named groups to Java's spelling while numbering the capturing groups, skipping escapes and classes. */
    private static String translate(String re, Map<String, Integer> names) {
        StringBuilder out = new StringBuilder(re.length());
        int group = 0;
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length()) {
                out.append(c).append(re.charAt(++i));
                continue;
            }
            if (inClass) {
                inClass = c != ']';
                out.append(c);
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
                    out.append(re.charAt(++i));
                }
                if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
                    out.append(re.charAt(++i));
                }
                continue;
            }
            if (c != '(') {
                out.append(c);
                continue;
            }
            if (i + 1 >= re.length() || re.charAt(i + 1) != '?') {
                group++;
                out.append(c);
                continue;
            }
            String rest = re.substring(i + 2);
            int skip;
            char close;
            if (rest.startsWith("P<")) {
                skip = 2;
                close = '>';
            } else if (rest.startsWith("<") && rest.length() > 1 && rest.charAt(1) != '=' && rest.charAt(1) != '!') {
                skip = 1;
                close = '>';
            } else if (rest.startsWith("'")) {
                skip = 1;
                close = '\'';
            } else {
                out.append(c);
                continue;
            }
            int end = rest.indexOf(close, skip);
            if (end < 0) {
                out.append(c);
                continue;
            }
            String name = rest.substring(skip, end);
            group++;
            names.put(name, group);
            out.append("(?<").append(name).append('>');
            i += 2 + end;
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return pattern.pattern();
    }
}
