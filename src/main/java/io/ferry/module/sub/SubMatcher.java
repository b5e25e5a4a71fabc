package io.ferry.module.sub;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The streaming search and replace of one response (nginx's ngx_http_sub_parse): the leftmost
 * occurrence of any search string is replaced, strings starting at the same byte are tried in the
 * order written, ASCII letters match in either case. Input arrives in pieces cut anywhere, so the
 * tail that may still begin a match is held back until the next piece (or the end) decides it; it
 * is never longer than the longest search string. With {@code once} each string is replaced only
 * at its first occurrence, and once all were, the rest passes untouched.
 */
final class SubMatcher {
    private static final byte[] NONE = new byte[0];

    /** Search strings, ASCII letters lower-cased. */
    private final byte[][] patterns;
    private final byte[][] replacements;
    private final boolean once;
    private final boolean[] used;
    private int active;
    /** Which (lower-cased) bytes begin a search string still in use: every other byte is passed at a glance. */
    private final boolean[] first = new boolean[256];
    private byte[] held = NONE;

    SubMatcher(byte[][] patterns, byte[][] replacements, boolean once) {
        this.patterns = patterns;
        this.replacements = replacements;
        this.once = once;
        this.used = new boolean[patterns.length];
        this.active = patterns.length;
        firstBytes();
    }

    static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    private void firstBytes() {
        Arrays.fill(first, false);
        for (int p = 0; p < patterns.length; p++) {
            if (!used[p]) {
                first[patterns[p][0] & 0xff] = true;
            }
        }
    }

    /**
     * Runs the readable bytes of {@code in} through, writing to {@code out}. Stops early, with
     * {@code in}'s reader index where it stopped, once {@code out} holds {@code outLimit} bytes (a
     * short search string with a long replacement multiplies the input); returns whether all of
     * {@code in} was taken.
     */
    boolean feed(ByteBuf in, ByteBuf out, int outLimit) {
        int start = in.readerIndex();
        int length = in.readableBytes();
        int before = held.length;
        byte[] text = new byte[before + length];
        System.arraycopy(held, 0, text, 0, before);
        in.getBytes(start, text, before, length);
        int stop = scan(text, false, out, before, outLimit);
        if (stop < text.length) {
            in.readerIndex(start + stop - before);
            return false;
        }
        in.readerIndex(start + length);
        return true;
    }

    /** The end of the body: what was held back cannot begin a match any more. */
    void finish(ByteBuf out) {
        byte[] text = held;
        held = NONE;
        scan(text, true, out, 0, Integer.MAX_VALUE);
    }

    /**
     * Scans {@code text}, writing what is decided; keeps the undecided tail in {@code held}.
     * Returns the length of text taken: less than its length only when the output limit was
     * reached at or past {@code minStop}, and then nothing is held.
     */
    private int scan(byte[] text, boolean atEnd, ByteBuf out, int minStop, int outLimit) {
        int n = text.length;
        int emitted = 0;
        int i = 0;
        while (i < n && active > 0) {
            if (!first[lower(text[i]) & 0xff]) {
                i++;
                continue;
            }
            int found = -1;
            boolean undecided = false;
            for (int p = 0; p < patterns.length && found < 0 && !undecided; p++) {
                if (used[p]) {
                    continue;
                }
                int m = compare(patterns[p], text, i);
                if (m == patterns[p].length) {
                    found = p;
                } else if (i + m == n && !atEnd) {
                    // an earlier string may yet match here: what follows decides
                    undecided = true;
                }
            }
            if (undecided) {
                out.writeBytes(text, emitted, i - emitted);
                held = Arrays.copyOfRange(text, i, n);
                return n;
            }
            if (found < 0) {
                i++;
                continue;
            }
            out.writeBytes(text, emitted, i - emitted);
            out.writeBytes(replacements[found]);
            i += patterns[found].length;
            emitted = i;
            if (once) {
                used[found] = true;
                active--;
                firstBytes();
            }
            if (out.readableBytes() >= outLimit && i >= minStop && i < n) {
                held = NONE;
                return i;
            }
        }
        out.writeBytes(text, emitted, n - emitted);
        held = NONE;
        return n;
    }

    /** How many bytes of {@code pattern} match text from {@code at}: its length when all do. */
    private static int compare(byte[] pattern, byte[] text, int at) {
        int k = 0;
        while (k < pattern.length && at + k < text.length && lower(text[at + k]) == pattern[k]) {
            k++;
        }
        return k;
    }
}
