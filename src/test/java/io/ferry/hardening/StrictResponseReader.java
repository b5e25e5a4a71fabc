package io.ferry.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads Ferry's responses off a fuzzed connection strictly: a malformed status or header line, or
 * an EOF inside a response, is an error; only an EOF before the first byte is a plain close. Small
 * bodies are kept (to recognise a known answer), larger ones skipped.
 */
final class StrictResponseReader {
    record Parsed(int status, boolean close, String body) {
    }

    private final InputStream in;

    StrictResponseReader(InputStream in) {
        this.in = in;
    }

    /** One response, strictly parsed (Ferry must write well-formed HTTP/1.1), or null on EOF before any byte. */
    Parsed read(boolean head) throws IOException {
        String statusLine;
        try {
            statusLine = line();
        } catch (SocketException e) {
            return null;
        }
        if (statusLine == null) {
            return null;
        }
        if (!statusLine.matches("HTTP/1\\.1 \\d{3} .*")) {
            throw new IOException("malformed status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String l = line(); ; l = line()) {
            if (l == null) {
                throw new IOException("EOF inside the response head");
            }
            if (l.isEmpty()) {
                break;
            }
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + l);
            }
            String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = l.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> {
                }
            }
        }
        if (head || status < 200 || status == 204 || status == 304) {
            return new Parsed(status, close, "");
        }
        String body = null;
        if (chunked) {
            while (true) {
                String size = line();
                if (size == null) {
                    throw new IOException("EOF inside a chunked response");
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    for (String t = line(); t != null && !t.isEmpty(); t = line()) {
                        // trailers
                    }
                    break;
                }
                skip(n);
                line();
            }
        } else if (length >= 0 && length <= 64) {
            body = new String(in.readNBytes((int) length), StandardCharsets.ISO_8859_1);
            if (body.length() < length) {
                throw new java.io.EOFException("EOF inside the response body");
            }
        } else if (length >= 0) {
            skip(length);
        } else {
            close = true; // delimited by close
        }
        return new Parsed(status, close, body);
    }

    private void skip(long n) throws IOException {
        in.skipNBytes(n);
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int ch;
        while ((ch = in.read()) >= 0) {
            if (ch == '\n') {
                break;
            }
            if (ch != '\r') {
                sb.append((char) ch);
            }
        }
        if (ch < 0 && sb.length() == 0) {
            return null;
        }
        return sb.toString();
    }
}
