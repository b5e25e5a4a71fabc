package io.ferry.conf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The part of glob(3) that nginx's {@code include} relies on: {@code *}, {@code ?} and {@code [...]} in any path
 * component, leading dots only matched explicitly, unreadable directories skipped, results sorted by name. Java's
 * PathMatcher is not used because its glob syntax differs ({@code {a,b}}, {@code **}).
 */
final class Glob {
    private Glob() {
    }

    static boolean isPattern(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
    }

    /** Existing paths matching {@code pattern}; a relative pattern is taken relative to {@code base}. */
    static List<Path> expand(Path base, String pattern) {
        Path p = Path.of(pattern);
        List<Path> current = List.of(p.isAbsolute() ? p.getRoot() : base);
        for (Path component : p) {
            String name = component.toString();
            List<Path> next = new ArrayList<>();
            if (isPattern(name)) {
                Pattern regex = toRegex(name);
                boolean dotExplicit = name.startsWith(".");
                for (Path dir : current) {
                    next.addAll(matches(dir, regex, dotExplicit));
                }
            } else {
                current.forEach(dir -> next.add(dir.resolve(name)));
            }
            current = next;
        }
        return current.stream().filter(Files::exists).sorted(Comparator.comparing(Path::toString)).toList();
    }

    private static List<Path> matches(Path dir, Pattern regex, boolean dotExplicit) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if ((dotExplicit || !name.startsWith(".")) && regex.matcher(name).matches()) {
                    found.add(entry);
                }
            }
        } catch (IOException e) {
            // glob(3) without GLOB_ERR, as nginx calls it, ignores directories it cannot read.
        }
        return found;
    }

    private static Pattern toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            int close = c == '[' ? closingBracket(glob, i) : -1;
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (close > 0) {
                re.append(bracket(glob.substring(i + 1, close)));
                i = close;
            } else if (c == '\\' && i + 1 < glob.length()) {
                re.append(quote(glob.charAt(++i)));
            } else {
                re.append(quote(c));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /** Index of the "]" closing the bracket expression at {@code open}, or -1; a leading "]" is a member. */
    private static int closingBracket(String glob, int open) {
        int i = open + 1;
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            i++;
        }
        return glob.indexOf(']', i + 1);
    }

    private static String bracket(String body) {
        StringBuilder re = new StringBuilder("[");
        int i = 0;
        if (body.startsWith("!") || body.startsWith("^")) {
            re.append('^');
            i = 1;
        }
        for (int first = i; i < body.length(); i++) {
            char c = body.charAt(i);
            boolean range = c == '-' && i > first && i < body.length() - 1;
            re.append(range ? "-" : quote(c));
        }
        return re.append(']').toString();
    }

    /** Escapes ASCII punctuation; other characters are never special to java.util.regex. */
    private static String quote(char c) {
        return c < 128 && !Character.isLetterOrDigit(c) ? "\\" + c : String.valueOf(c);
    }
}
