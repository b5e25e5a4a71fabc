package io.ferry.module.splitclients;

import io.ferry.variable.ConnectionScope;
import io.ferry.variable.ConnectionVariable;
import io.ferry.variable.Template;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One split_clients variable: the first part whose upper bound is above the key's hash, or the
 * "*" part (bound 0); no value when the shares leave the hash uncovered.
 */
final class SplitClients implements ConnectionVariable {
    /** A share of the 32-bit hash space: values below {@code bound} (unsigned), or everything when 0. */
    record Part(long bound, String value) {
    }

    private final Template key;
    private final List<Part> parts;

    SplitClients(Template key, List<Part> parts) {
        this.key = key;
        this.parts = parts;
    }

    @Override
    public String value(ConnectionScope scope) {
        long hash = murmurHash2(bytes(key.render(scope))) & 0xffffffffL;
        for (Part p : parts) {
            if (hash < p.bound() || p.bound() == 0) {
                return p.value();
            }
        }
        return "";
    }

    /** Request text is kept as its bytes, one char each; anything wider is hashed as UTF-8. */
    private static byte[] bytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return s.getBytes(StandardCharsets.UTF_8);
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** nginx's ngx_murmur_hash2: MurmurHash2 with seed 0, little-endian words. */
    static int murmurHash2(byte[] data) {
        final int m = 0x5bd1e995;
        int len = data.length;
        int h = len;
        int i = 0;
        while (len >= 4) {
            int k = data[i] & 0xff | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
            k *= m;
            k ^= k >>> 24;
            k *= m;
            h *= m;
            h ^= k;
            i += 4;
            len -= 4;
        }
        switch (len) {
            case 3:
                h ^= (data[i + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[i + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[i] & 0xff;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
