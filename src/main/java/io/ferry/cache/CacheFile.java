package io.ferry.cache;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An entry's file, Ferry's own format: a magic line, the length of the header block, the header
 * block (validity, date, key, status, response headers), then the body as it came.
 */
record CacheFile(long validUntil, long date, String key, int status, String reason,
        List<Map.Entry<String, String>> headers, long bodyOffset, long bodyLength) {
    private static final byte[] MAGIC = "FERRY-CACHE-1\n".getBytes(StandardCharsets.US_ASCII);
    /** No header block is larger: a file claiming more is not one of ours. */
    private static final int MAX_HEADER = 1 << 20;

    /** The bytes before the body: what the writer puts first in the temporary file. */
    static byte[] header(long validUntil, long date, String key, int status, String reason,
            Iterable<Map.Entry<String, String>> headers) {
        try {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(block);
            out.writeLong(validUntil);
            out.writeLong(date);
            out.writeUTF(key);
            out.writeInt(status);
            out.writeUTF(reason);
            List<Map.Entry<String, String>> list = new ArrayList<>();
            headers.forEach(list::add);
            out.writeInt(list.size());
            for (Map.Entry<String, String> h : list) {
                out.writeUTF(h.getKey());
                out.writeUTF(h.getValue());
            }
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(MAGIC);
            new DataOutputStream(all).writeInt(block.size());
            block.writeTo(all);
            return all.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The entry in {@code raf}, or null when the file is not a whole entry of this format. */
    static CacheFile read(RandomAccessFile raf) throws IOException {
        long length = raf.length();
        byte[] magic = new byte[MAGIC.length];
        if (length < MAGIC.length + 4) {
            return null;
        }
        raf.seek(0);
        raf.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            return null;
        }
        int size = raf.readInt();
        long offset = MAGIC.length + 4L + size;
        if (size < 0 || size > MAX_HEADER || offset > length) {
            return null;
        }
        byte[] block = new byte[size];
        raf.readFully(block);
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(block));
        long validUntil = in.readLong();
        long date = in.readLong();
        String key = in.readUTF();
        int status = in.readInt();
        String reason = in.readUTF();
        int n = in.readInt();
        List<Map.Entry<String, String>> headers = new ArrayList<>(Math.max(0, Math.min(n, 1000)));
        for (int i = 0; i < n; i++) {
            headers.add(Map.entry(in.readUTF(), in.readUTF()));
        }
        return new CacheFile(validUntil, date, key, status, reason, headers, offset, length - offset);
    }
}
