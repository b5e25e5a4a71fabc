package io.ferry.hardening;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fuzz cases for the request parser: a valid HTTP/1.x request from a small grammar (methods,
 * paths, header sets, Content-Length and chunked bodies with random chunk sizes, extensions and
 * trailers), then, for most cases, one to four mutations: bytes flipped, replaced, inserted or
 * deleted, header lines duplicated, framing headers injected, chunk sizes replaced, truncation.
 */
final class RequestMutator {
    record Case(byte[] bytes, boolean mutated, boolean proxied) {
    }

    private static final String[] METHODS = {"GET", "GET", "GET", "HEAD", "POST", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
    private static final String[] PATHS = {"/", "/a", "/a/b/c", "/p/x", "/p/y?q=1", "/index.html", "/%41%42", "/a/./b/../c",
            "/p/%2e%2e/z", "/x?a=b&c=%20d", "/p/long/" + "l".repeat(100), "/caf%C3%A9", "/a//b", "/p/"};
    private static final String[] NAMES = {"Accept", "User-Agent", "Cookie", "X-Forwarded-For", "X-Real-IP", "Referer",
            "Accept-Encoding", "Cache-Control", "If-None-Match", "Authorization", "X-Custom", "Origin", "Upgrade", "TE",
            "Connection", "Keep-Alive", "Expect", "Range", "Content-Type"};
    private static final String[] VALUES = {"*/*", "curl/8.0", "a=b; c=d", "1.2.3.4, 5.6.7.8", "6.6.6.6", "http://x/",
            "gzip, deflate", "no-cache", "\"etag\"", "Basic dXNlcjpwYXNz", "v", "http://evil.test", "websocket", "trailers",
            "keep-alive", "timeout=5", "100-continue", "bytes=0-10", "text/plain", "close", "Upgrade", ""};
    private static final byte[] SPECIAL = {0, '\r', '\n', ' ', '\t', ':', ';', ',', '"', 0x7f, (byte) 0xff, (byte) 0x80, '%',
            '/', '?', '#', '0', '9', 'f', 'F', '-', '+', 1, 0x1b, '\\'};
    private static final String[] INJECTED = {"Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "Content-Length: 0",
            "Content-Length: 5", "Content-Length: -1", "Content-Length: 99999999999999999999", "Content-Length: 1, 2",
            "Host: evil.test", "Host:", "Transfer-Encoding: chunked, chunked", "Transfer-Encoding:  chunked ",
            "Connection: close", "Expect: 100-continue", "Upgrade: websocket", " folded", "\tfolded",
            "X-Long: " + "z".repeat(3000), "Content-Length: +5", "Transfer-Encoding: xchunked", "Content-Length: 0x10"};

    private final Random random;

    RequestMutator(long seed) {
        this.random = new Random(seed);
    }

    Case next() {
        boolean[] proxied = new boolean[1];
        byte[] valid = validRequest(proxied);
        if (random.nextInt(100) < 45) {
            return new Case(valid, false, proxied[0]);
        }
        byte[] b = valid;
        int mutations = 1 + random.nextInt(random.nextInt(10) == 0 ? 8 : 3);
        for (int i = 0; i < mutations; i++) {
            b = mutate(b);
        }
        return new Case(b, true, proxied[0]);
    }

    /** Split points for writing a case in several pieces (empty: one write). */
    int[] splits(int length) {
        int n = random.nextInt(4) == 0 ? 1 + random.nextInt(4) : 0;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = length <= 1 ? 0 : random.nextInt(length);
        }
        java.util.Arrays.sort(out);
        return out;
    }

    boolean pauseBetweenWrites() {
        return random.nextInt(50) == 0;
    }

    private byte[] validRequest(boolean[] proxied) {
        String method = METHODS[random.nextInt(METHODS.length)];
        String path = PATHS[random.nextInt(PATHS.length)];
        proxied[0] = path.startsWith("/p");
        boolean http10 = random.nextInt(12) == 0;
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        List<String> lines = new ArrayList<>();
        if (!http10 || random.nextBoolean()) {
            lines.add("Host: " + (random.nextBoolean() ? "fuzz.test" : "127.0.0.1"));
        }
        int extra = random.nextInt(6);
        for (int i = 0; i < extra; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            if (name.equals("Expect") || name.equals("Connection") || name.equals("Upgrade")) {
                if (random.nextInt(4) != 0) {
                    continue;
                }
            }
            lines.add(name + ": " + VALUES[random.nextInt(VALUES.length)]);
        }
        byte[] body = new byte[0];
        boolean hasBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH") || random.nextInt(20) == 0;
        if (hasBody) {
            if (random.nextBoolean() && !http10) {
                lines.add("Transfer-Encoding: chunked");
                body = chunkedBody();
            } else {
                body = new byte[random.nextInt(random.nextInt(10) == 0 ? 4000 : 200)];
                for (int i = 0; i < body.length; i++) {
                    body[i] = (byte) ('a' + random.nextInt(26));
                }
                lines.add("Content-Length: " + body.length);
            }
        }
        java.util.Collections.shuffle(lines, random);
        for (String l : lines) {
            head.append(l).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private byte[] chunkedBody() {
        StringBuilder sb = new StringBuilder();
        int chunks = random.nextInt(5);
        for (int i = 0; i < chunks; i++) {
            int size = 1 + random.nextInt(random.nextInt(8) == 0 ? 3000 : 64);
            sb.append(random.nextBoolean() ? Integer.toHexString(size) : Integer.toHexString(size).toUpperCase());
            if (random.nextInt(6) == 0) {
                sb.append(";ext=").append(random.nextInt(100));
            }
            sb.append("\r\n").append("c".repeat(size)).append("\r\n");
        }
        sb.append("0\r\n");
        if (random.nextInt(5) == 0) {
            sb.append("X-Trailer: t\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] mutate(byte[] in) {
        if (in.length == 0) {
            return new byte[] {SPECIAL[random.nextInt(SPECIAL.length)]};
        }
        int op = random.nextInt(100);
        int pos = random.nextInt(in.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
        if (op < 20) { // flip one bit
            byte[] b = in.clone();
            b[pos] ^= (byte) (1 << random.nextInt(8));
            return b;
        } else if (op < 38) { // replace with a special or random byte
            byte[] b = in.clone();
            b[pos] = random.nextBoolean() ? SPECIAL[random.nextInt(SPECIAL.length)] : (byte) random.nextInt(256);
            return b;
        } else if (op < 52) { // insert bytes
            out.write(in, 0, pos);
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                out.write(random.nextBoolean() ? SPECIAL[random.nextInt(SPECIAL.length)] : random.nextInt(256));
            }
            out.write(in, pos, in.length - pos);
            return out.toByteArray();
        } else if (op < 64) { // delete a short range
            int n = Math.min(in.length - pos, 1 + random.nextInt(4));
            out.write(in, 0, pos);
            out.write(in, pos + n, in.length - pos - n);
            return out.toByteArray();
        } else if (op < 74) { // duplicate a header line
            String s = new String(in, StandardCharsets.ISO_8859_1);
            int headEnd = s.indexOf("\r\n\r\n");
            int first = s.indexOf("\r\n");
            if (headEnd < 0 || first < 0 || first >= headEnd) {
                return in;
            }
            String[] lines = s.substring(first + 2, headEnd).split("\r\n");
            String dup = lines[random.nextInt(lines.length)];
            return (s.substring(0, headEnd) + "\r\n" + dup + s.substring(headEnd)).getBytes(StandardCharsets.ISO_8859_1);
        } else if (op < 84) { // inject a framing or routing header
            String s = new String(in, StandardCharsets.ISO_8859_1);
            int first = s.indexOf("\r\n");
            if (first < 0) {
                return in;
            }
            return (s.substring(0, first + 2) + INJECTED[random.nextInt(INJECTED.length)] + "\r\n" + s.substring(first + 2))
                    .getBytes(StandardCharsets.ISO_8859_1);
        } else if (op < 91) { // replace a chunk size (or any hex run after a line break) with a random one
            String s = new String(in, StandardCharsets.ISO_8859_1);
            int headEnd = s.indexOf("\r\n\r\n");
            if (headEnd < 0 || headEnd + 4 >= s.length()) {
                return in;
            }
            String[] sizes = {"0", "1", "ff", "FFFFFFFF", "7fffffffffffffff", "ffffffffffffffffff", "-1", "1 ", " 1", "1;", "g",
                    "00000000000000000001", ""};
            String size = sizes[random.nextInt(sizes.length)];
            int at = headEnd + 4;
            int end = s.indexOf("\r\n", at);
            if (end < 0) {
                end = s.length();
            }
            return (s.substring(0, at) + size + s.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
        } else if (op < 94) { // truncate
            return java.util.Arrays.copyOf(in, pos);
        } else { // the request twice (pipelining), possibly with garbage in between
            out.write(in, 0, in.length);
            if (random.nextBoolean()) {
                out.write(SPECIAL[random.nextInt(SPECIAL.length)]);
            }
            out.write(in, 0, in.length);
            return out.toByteArray();
        }
    }
}
