package io.ferry.log;

import java.nio.charset.StandardCharsets;

/** How nginx writes a variable's value into a log line, per log_format's escape= parameter. */
final class LogEscape {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LogEscape() {
    }

    static String apply(LogFormat.Escape escape, String value) {
        if (value == null) {
            // as ngx_http_log_variable: "-" only where values are escaped; json and none write nothing
            return escape == LogFormat.Escape.DEFAULT ? "-" : "";
        }
        return switch (escape) {
            case NONE -> value;
            case JSON -> json(value);
            case DEFAULT -> hex(value);
        };
    }

    /** '"', '\' and bytes outside printable ASCII become \xHH, as ngx_http_log_escape does. */
    private static String hex(String value) {
        StringBuilder out = null;
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b >= 0x20 && b < 0x7f && b != '"' && b != '\\';
            if (out == null) {
                if (plain) {
                    continue;
                }
                out = new StringBuilder(new String(bytes, 0, i, StandardCharsets.ISO_8859_1));
            }
            if (plain) {
                out.append((char) b);
            } else {
                out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
            }
        }
        return out == null ? value : out.toString();
    }

    private static String json(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
