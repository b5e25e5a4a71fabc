package io.ferry.variable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A directive value with variables, compiled once per configuration load so that rendering a
 * request walks a list of literal and variable parts and never re-parses the text.
 */
public final class Template {
    private final String text;
    private final Object[] parts;

    private Template(String text, Object[] parts) {
        this.text = text;
        this.parts = parts;
    }

    public static Template literal(String text) {
        return new Template(text, new Object[] {text});
    }

    public static Template compile(String text, Variables variables) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            String name;
            if (i + 1 < text.length() && text.charAt(i + 1) == '{') {
                int end = i + 2;
                while (end < text.length() && isNameChar(text.charAt(end))) {
                    end++;
                }
                if (end >= text.length() || text.charAt(end) != '}') {
                    throw new IllegalArgumentException(
                            "the closing bracket in \"" + text.substring(i + 2, end) + "\" variable is missing");
                }
                name = text.substring(i + 2, end);
                i = end + 1;
            } else {
                int end = i + 1;
                if (end < text.length() && Character.isDigit(text.charAt(end))) {
                    end++;
                } else {
                    while (end < text.length() && isNameChar(text.charAt(end))) {
                        end++;
                    }
                }
                name = text.substring(i + 1, end);
                i = end;
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("invalid variable name in \"" + text + "\"");
            }
            if (literal.length() > 0) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            ConnectionVariable variable = variables.resolve(name);
            parts.add(name.length() == 1 && Character.isDigit(name.charAt(0)) ? new Capture(variable) : variable);
        }
        if (literal.length() > 0 || parts.isEmpty()) {
            parts.add(literal.toString());
        }
        return new Template(text, parts.toArray());
    }

    private static boolean isNameChar(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public boolean isConstant() {
        return parts.length == 1 && parts[0] instanceof String;
    }

    public String text() {
        return text;
    }

    public String render(ConnectionScope scope) {
        if (isConstant()) {
            return (String) parts[0];
        }
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.append(s);
            } else {
                String v = ((ConnectionVariable) part).value(scope);
                if (v != null) {
                    out.append(v);
                }
            }
        }
        return out.toString();
    }

    /**
     * Renders with every variable's value passed through {@code value} (which also sees nulls), for
     * log formats where values are escaped and a missing one is written as "-".
     */
    public String render(ConnectionScope scope, java.util.function.UnaryOperator<String> value) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.append(s);
            } else {
                out.append(value.apply(((ConnectionVariable) part).value(scope)));
            }
        }
        return out.toString();
    }

    /**
     * Renders a rewrite replacement: a capture ($1..$9) written after the replacement's '?' passes
     * through {@code argCapture} (nginx escapes those for a %-encoded request URI).
     */
    public String renderReplacement(ConnectionScope scope, UnaryOperator<String> argCapture) {
        StringBuilder out = new StringBuilder();
        boolean inArgs = false;
        for (Object part : parts) {
            if (part instanceof String s) {
                out.append(s);
                inArgs |= s.indexOf('?') >= 0;
            } else {
                String v = ((ConnectionVariable) part).value(scope);
                if (v != null) {
                    out.append(inArgs && part instanceof Capture ? argCapture.apply(v) : v);
                }
            }
        }
        return out.toString();
    }

    /** A regex capture among the parts, which a rewrite replacement treats apart from other variables. */
    private record Capture(ConnectionVariable variable) implements ConnectionVariable {
        @Override
        public String value(ConnectionScope scope) {
            return variable.value(scope);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
