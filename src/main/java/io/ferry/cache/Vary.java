package io.ferry.cache;

import io.ferry.http.Exchange;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A response's Vary as nginx's cache keeps it: the header names, and the variant a request asks
 * for, an MD5 of the key's own name and the request's values of those headers. The variant is the
 * name of the file a second representation of the key is kept in.
 */
final class Vary {
    /** nginx's NGX_HTTP_CACHE_VARY_LEN: a longer Vary is not cached. */
    private static final int MAX_LENGTH = 128;
    /** Not cacheable: "*", or names beyond {@link #MAX_LENGTH}. */
    static final String UNCACHEABLE = "*";

    private Vary() {
    }

    /** The response's Vary names, lower case, joined by commas: "" for none, {@link #UNCACHEABLE}. */
    static String names(HttpHeaders response) {
        List<String> values = response.getAll("Vary");
        if (values.isEmpty()) {
            return "";
        }
        String all = String.join(",", values);
        if (all.length() > MAX_LENGTH) {
            return UNCACHEABLE;
        }
        String names = normalized(all).toLowerCase(Locale.ROOT);
        return names.equals("*") || names.startsWith("*,") || names.contains(",*") ? UNCACHEABLE : names;
    }

    /**
     * The variant {@code ex} asks for among the representations varying by {@code names} of the
     * key named {@code mainHex}: the request's values of each header, with spaces around commas and
     * empty elements dropped, as nginx normalizes them (their order still counts).
     */
    static String variant(String mainHex, String names, Exchange ex) {
        MessageDigest md5 = md5();
        md5.update(mainHex.getBytes(StandardCharsets.US_ASCII));
        for (String name : names.split(",")) {
            md5.update(name.getBytes(StandardCharsets.ISO_8859_1));
            md5.update((byte) ':');
            md5.update(normalized(String.join(",", ex.request().headers().getAll(name))).getBytes(StandardCharsets.ISO_8859_1));
            md5.update(new byte[] {'\r', '\n'});
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    /** Comma-separated elements trimmed, empty ones dropped. */
    private static String normalized(String list) {
        StringBuilder out = new StringBuilder(list.length());
        for (String element : list.split(",")) {
            String e = element.strip();
            if (!e.isEmpty()) {
                if (out.length() > 0) {
                    out.append(',');
                }
                out.append(e);
            }
        }
        return out.toString();
    }

    /** One digest per thread: looking the algorithm up costs more than the hash of a key. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** This thread's MD5, reset. */
    static MessageDigest md5() {
        MessageDigest md5 = MD5.get();
        md5.reset();
        return md5;
    }
}
