package io.ferry.module.ssi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds SSI commands ({@code <!--#name param="value" ... -->}) in a body that arrives in pieces, as
 * nginx's ngx_http_ssi_parse: a command may be split anywhere between two pieces. It is pulled one
 * event at a time ({@link #next}), so the filter can stop after a command that must wait.
 */
final class SsiParser {
    /** nginx's NGX_HTTP_SSI_COMMAND_LEN and NGX_HTTP_SSI_PARAM_LEN. */
    static final int NAME_LENGTH = 32;
    private static final byte[] START = "<!--#".getBytes(StandardCharsets.US_ASCII);

    /** Text to pass on (a slice the caller owns). */
    record Text(ByteBuf bytes) {
    }

    /** A command, or {@code error} (a message for the error log) when it cannot be understood. */
    record Command(String name, Map<String, String> params, String error) {
    }

    private final int valueLength;
    /** How much of START the bytes held so far match; they are text if the rest does not follow. */
    private int matched;
    private boolean inCommand;
    private final ByteArrayOutputStream command = new ByteArrayOutputStream();
    private boolean tooLong;
    private byte quote;
    private boolean escaped;
    private int dashes;

    SsiParser(int valueLength) {
        this.valueLength = valueLength;
    }

    /** The next event in {@code in} (consuming what it covers), or null once {@code in} is used up. */
    Object next(ByteBuf in) {
        while (in.isReadable()) {
            if (inCommand) {
                Command c = command(in);
                if (c != null) {
                    return c;
                }
                continue;
            }
            if (matched == 0) {
                int at = in.indexOf(in.readerIndex(), in.writerIndex(), START[0]);
                if (at != in.readerIndex()) {
                    int n = (at < 0 ? in.writerIndex() : at) - in.readerIndex();
                    return new Text(in.readRetainedSlice(n));
                }
            }
            while (in.isReadable() && matched < START.length && in.getByte(in.readerIndex()) == START[matched]) {
                in.skipBytes(1);
                matched++;
            }
            if (matched == START.length) {
                matched = 0;
                inCommand = true;
            } else if (in.isReadable()) {
                // Not a command after all: what looked like its start is text; the byte that differed is looked at again.
                Text held = new Text(Unpooled.copiedBuffer(START, 0, matched));
                matched = 0;
                return held;
            }
        }
        return null;
    }

    /** Bytes held at the end of the body (a start of a command that never came): text, or null. */
    ByteBuf rest() {
        if (inCommand) {
            byte[] body = command.toByteArray();
            inCommand = false;
            command.reset();
            return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(START), Unpooled.wrappedBuffer(body));
        }
        if (matched > 0) {
            ByteBuf held = Unpooled.copiedBuffer(START, 0, matched);
            matched = 0;
            return held;
        }
        return null;
    }

    private Command command(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (quote != 0) {
                quote = escaped || b != quote ? quote : 0;
                escaped = !escaped && b == '\\';
                dashes = 0;
            } else if (b == '"' || b == '\'') {
                quote = b;
                dashes = 0;
            } else if (b == '-') {
                dashes++;
            } else if (b == '>' && dashes >= 2) {
                return end();
            } else {
                dashes = 0;
            }
            if (command.size() < NAME_LENGTH * 2 + valueLength * 4 + 64) {
                command.write(b);
            } else {
                tooLong = true;
            }
        }
        return null;
    }

    private Command end() {
        String text = command.toString(StandardCharsets.UTF_8);
        boolean overflow = tooLong;
        inCommand = false;
        tooLong = false;
        quote = 0;
        escaped = false;
        dashes = 0;
        command.reset();
        if (overflow) {
            return new Command("", Map.of(), "the SSI command is too long");
        }
        return parse(text.substring(0, text.length() - 2), valueLength);
    }

    /** The text between "<!--#" and "-->": a name, then name="value" pairs. */
    static Command parse(String text, int valueLength) {
        int i = skipSpace(text, 0);
        int start = i;
        while (i < text.length() && isNameChar(text.charAt(i))) {
            i++;
        }
        String name = text.substring(start, i);
        if (name.isEmpty() || name.length() > NAME_LENGTH) {
            return new Command(name, Map.of(), "invalid SSI command: \"" + text.strip() + "\"");
        }
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            int before = i;
            i = skipSpace(text, i);
            if (i == text.length()) {
                return new Command(name, params, null);
            }
            if (i == before) {
                return invalid(name, "unexpected \"" + text.charAt(i) + "\" symbol after \"" + name + "\" command");
            }
            start = i;
            while (i < text.length() && isNameChar(text.charAt(i))) {
                i++;
            }
            String param = text.substring(start, i);
            if (param.isEmpty() || param.length() > NAME_LENGTH) {
                return invalid(name, "invalid parameter name in \"" + name + "\" SSI command");
            }
            if (i >= text.length() || text.charAt(i) != '=' || i + 1 >= text.length()
                    || (text.charAt(i + 1) != '"' && text.charAt(i + 1) != '\'')) {
                return invalid(name, "invalid \"" + param + "\" parameter in \"" + name + "\" SSI command");
            }
            char q = text.charAt(i + 1);
            StringBuilder value = new StringBuilder();
            i += 2;
            while (i < text.length() && text.charAt(i) != q) {
                char c = text.charAt(i);
                if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == q) {
                    c = q;
                    i++;
                }
                value.append(c);
                i++;
            }
            if (i >= text.length()) {
                return invalid(name, "unterminated \"" + param + "\" parameter in \"" + name + "\" SSI command");
            }
            i++;
            if (value.length() > valueLength) {
                return invalid(name, "too long \"" + param + "\" parameter value in \"" + name + "\" SSI command");
            }
            if (params.putIfAbsent(param, value.toString()) != null) {
                return invalid(name, "duplicate \"" + param + "\" parameter in \"" + name + "\" SSI command");
            }
        }
    }

    private static Command invalid(String name, String error) {
        return new Command(name, Map.of(), error);
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isNameChar(char c) {
        return c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
