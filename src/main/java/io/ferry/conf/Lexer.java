package io.ferry.conf;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits configuration text into statements exactly as nginx's {@code ngx_conf_read_token} does, state flag for state
 * flag, so that odd inputs ({@code a#b}, {@code "x")}, {@code ${v}}, a closing brace glued to a word) mean the same
 * here as they do to nginx.
 */
final class Lexer {
    enum End { SEMICOLON, BLOCK_START, BLOCK_END, EOF }

    /** The words read before {@code end}; {@code line} is the current line when {@code end} was seen. */
    record Statement(List<String> words, End end, int line) {
    }

    private final String text;
    private final String file;
    private final boolean fromFile;
    private int pos;
    private int line = 1;

    /** {@code fromFile} is false for command-line text, for which nginx words the end-of-input error differently. */
    Lexer(String text, String file, boolean fromFile) {
        this.text = text;
        this.file = file;
        this.fromFile = fromFile;
    }

    String file() {
        return file;
    }

    ConfException error(String detail) {
        return new ConfException(detail, file, line);
    }

    Statement next() throws ConfException {
        List<String> words = new ArrayList<>();
        boolean needSpace = false;
        boolean lastSpace = true;
        boolean comment = false;
        boolean variable = false;
        boolean escaped = false;
        boolean sQuoted = false;
        boolean dQuoted = false;
        int start = pos;

        for (;;) {
            if (pos >= text.length()) {
                if (!words.isEmpty() || !lastSpace) {
                    throw error(fromFile
                            ? "unexpected end of file, expecting \";\" or \"}\""
                            : "unexpected end of parameter, expecting \";\"");
                }
                return statement(words, End.EOF);
            }

            char ch = text.charAt(pos++);

            if (ch == '\n') {
                line++;
                comment = false;
            }
            if (comment) {
                continue;
            }
            if (escaped) {
                escaped = false;
                continue;
            }

            if (needSpace) {
                if (isSpace(ch)) {
                    lastSpace = true;
                    needSpace = false;
                    continue;
                }
                if (ch == ';') {
                    return statement(words, End.SEMICOLON);
                }
                if (ch == '{') {
                    return statement(words, End.BLOCK_START);
                }
                // nginx lets ")" follow a quoted word so that  if ($a = "b")  works; ")" then starts a new word.
                if (ch != ')') {
                    throw error("unexpected \"" + ch + "\"");
                }
                lastSpace = true;
                needSpace = false;
            }

            if (lastSpace) {
                if (isSpace(ch)) {
                    continue;
                }
                start = pos - 1;
                switch (ch) {
                    case ';', '{' -> {
                        if (words.isEmpty()) {
                            throw error("unexpected \"" + ch + "\"");
                        }
                        return statement(words, ch == '{' ? End.BLOCK_START : End.SEMICOLON);
                    }
                    case '}' -> {
                        if (!words.isEmpty()) {
                            throw error("unexpected \"}\"");
                        }
                        return statement(words, End.BLOCK_END);
                    }
                    case '#' -> comment = true;
                    case '\\' -> {
                        escaped = true;
                        lastSpace = false;
                    }
                    case '"' -> {
                        start++;
                        dQuoted = true;
                        lastSpace = false;
                    }
                    case '\'' -> {
                        start++;
                        sQuoted = true;
                        lastSpace = false;
                    }
                    case '$' -> {
                        variable = true;
                        lastSpace = false;
                    }
                    default -> lastSpace = false;
                }
                continue;
            }

            // "${name}" keeps its brace: a "{" right after "$" is part of the word, not a block opening.
            if (ch == '{' && variable) {
                continue;
            }
            variable = false;
            if (ch == '\\') {
                escaped = true;
                continue;
            }
            if (ch == '$') {
                variable = true;
                continue;
            }

            boolean found = false;
            if (dQuoted) {
                if (ch == '"') {
                    dQuoted = false;
                    needSpace = true;
                    found = true;
                }
            } else if (sQuoted) {
                if (ch == '\'') {
                    sQuoted = false;
                    needSpace = true;
                    found = true;
                }
            } else if (isSpace(ch) || ch == ';' || ch == '{') {
                lastSpace = true;
                found = true;
            }

            if (found) {
                words.add(unescape(start, pos - 1));
                if (ch == ';') {
                    return statement(words, End.SEMICOLON);
                }
                if (ch == '{') {
                    return statement(words, End.BLOCK_START);
                }
            }
        }
    }

    private Statement statement(List<String> words, End end) {
        return new Statement(words, end, line);
    }

    private String unescape(int from, int to) {
        StringBuilder word = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < to) {
                char translated = escapedChar(text.charAt(i + 1));
                if (translated != 0) {
                    word.append(translated);
                    i++;
                    continue;
                }
            }
            word.append(c);
        }
        return word.toString();
    }

    /** Only these escapes are translated; any other backslash is kept so that regexes such as {@code \.php$} survive. */
    private static char escapedChar(char c) {
        return switch (c) {
            case '"', '\'', '\\' -> c;
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'n' -> '\n';
            default -> 0;
        };
    }

    private static boolean isSpace(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
    }
}
