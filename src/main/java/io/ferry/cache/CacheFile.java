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
 * block (validity, date, key, the variant and the Vary names it was chosen by, status, response
 * headers), then the body as it came. Validity and date come first, at a fixed offset, so that a
 * revalidation rewrites them in place as nginx updates its header.
 */
record CacheFile(long validUntil, long date, String key, String variant, String vary, int status, String reason,
        List<Map.Entry<String, String>> headers, long bodyOffset, long bodyLength) {
    private static final byte[] MAGIC = "FERRY-CACHE-2\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VALIDITY_OFFSET = MAGIC.length + 4;
    /** No header block is larger: a file claiming more is not one of ours. */
    private static final int MAX_HEADER = 1 << 20;

    /** The bytes before the body: what the writer puts first in the temporary file. */
    static byte[] header(long validUntil, long date, String key, String variant, String vary, int status, String reason,
            Iterable<Map.Entry<String, String>> headers) {
        try {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(block);
            out.writeLong(validUntil);
            out.writeLong(date);
            out.writeUTF(key);
            out.writeUTF(variant);
            out.writeUTF(vary);
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

    /** What one read takes of a file: most entries' whole header block. */
    private static final int FIRST_READ = 4096;

    /** The entry in {@code raf}, or null when the file is not a whole entry of this format. */
    static CacheFile read(RandomAccessFile raf) throws IOException {
        java.nio.channels.FileChannel ch = raf.getChannel();
        long length = ch.size();
        if (length < MAGIC.length + 4) {
            return null;
        }
        // one positional read for the magic, the block's length and most blocks (a hit's only read before the body)
        java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate((int) Math.min(length, FIRST_READ));
        readFully(ch, first, 0);
        first.flip();
        for (byte m : MAGIC) {
            if (first.get() != m) {
                return null;
            }
        }
        int size = first.getInt();
        long offset = MAGIC.length + 4L + size;
        if (size < 0 || size > MAX_HEADER || offset > length) {
            return null;
        }
        byte[] block = new byte[size];
        int have = Math.min(size, first.remaining());
        first.get(block, 0, have);
        if (have < size) {
            readFully(ch, java.nio.ByteBuffer.wrap(block, have, size - have), MAGIC.length + 4L + have);
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(block));
        long validUntil = in.readLong();
        long date = in.readLong();
        String key = in.readUTF();
        String variant = in.readUTF();
        String vary = in.readUTF();
        int status = in.readInt();
        String reason = in.readUTF();
        int n = in.readInt();
        List<Map.Entry<String, String>> headers = new ArrayList<>(Math.max(0, Math.min(n, 1000)));
        for (int i = 0; i < n; i++) {
            headers.add(Map.entry(in.readUTF(), in.readUTF()));
        }
        return new CacheFile(validUntil, date, key, variant, vary, status, reason, headers, offset, length - offset);
    }

    private static void readFully(java.nio.channels.FileChannel ch, java.nio.ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = ch.read(into, position);
            if (n < 0) {
                throw new java.io.EOFException();
            }
            position += n;
        }
    }

    /** The first stored value of the response header {@code name}, or null. */
    String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** This entry valid anew until {@code validUntil}, as from {@code date}: a revalidated entry. */
    CacheFile revalidated(long validUntil, long date) {
        return new CacheFile(validUntil, date, key, variant, vary, status, reason, headers, bodyOffset, bodyLength);
    }

    /** Rewrites the validity and date of the entry at {@code file} in place; a file gone meanwhile is left gone. */
    static void touch(java.nio.file.Path file, long validUntil, long date) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(validUntil).putLong(date).flip();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b, VALIDITY_OFFSET + b.position());
            }
        }
    }
}
