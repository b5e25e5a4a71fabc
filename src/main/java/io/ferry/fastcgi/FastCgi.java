package io.ferry.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The FastCGI 1.0 wire format (the specification's section 8): record types, the 8-byte record
 * header, BEGIN_REQUEST, and STDIN/PARAMS framing with nginx's 8-byte alignment padding.
 */
public final class FastCgi {
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 8;
    public static final int MAX_CONTENT = 0xffff;
    /** Request body bytes per STDIN record, as nginx sends them. */
    public static final int STDIN_CHUNK = 32 * 1024;
    /** nginx uses request id 1: one request per connection at a time. */
    public static final int REQUEST_ID = 1;

    public static final int BEGIN_REQUEST = 1;
    public static final int ABORT_REQUEST = 2;
    public static final int END_REQUEST = 3;
    public static final int PARAMS = 4;
    public static final int STDIN = 5;
    public static final int STDOUT = 6;
    public static final int STDERR = 7;
    public static final int DATA = 8;
    public static final int GET_VALUES = 9;
    public static final int GET_VALUES_RESULT = 10;
    public static final int UNKNOWN_TYPE = 11;

    public static final int ROLE_RESPONDER = 1;
    public static final int FLAG_KEEP_CONN = 1;

    public static final int REQUEST_COMPLETE = 0;
    public static final int CANT_MPX_CONN = 1;
    public static final int OVERLOADED = 2;
    public static final int UNKNOWN_ROLE = 3;

    private static final ByteBuf ZEROS = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[8]).asReadOnly());

    private FastCgi() {
    }

    /** Padding that brings {@code length} to a multiple of 8. */
    public static int padding(int length) {
        return (8 - (length & 7)) & 7;
    }

    public static void writeHeader(ByteBuf out, int type, int requestId, int contentLength, int paddingLength) {
        if (contentLength < 0 || contentLength > MAX_CONTENT) {
            throw new IllegalArgumentException("FastCGI record content of " + contentLength + " bytes");
        }
        out.writeByte(VERSION);
        out.writeByte(type);
        out.writeShort(requestId);
        out.writeShort(contentLength);
        out.writeByte(paddingLength);
        out.writeByte(0);
    }

    /** FCGI_BEGIN_REQUEST for the responder role, with FCGI_KEEP_CONN when the connection is to be kept. */
    public static ByteBuf beginRequest(ByteBufAllocator alloc, boolean keepConn) {
        ByteBuf out = alloc.buffer(HEADER_LENGTH + 8);
        writeHeader(out, BEGIN_REQUEST, REQUEST_ID, 8, 0);
        out.writeShort(ROLE_RESPONDER);
        out.writeByte(keepConn ? FLAG_KEEP_CONN : 0);
        out.writeZero(5);
        return out;
    }

    /** An empty record of {@code type}: the end of the PARAMS or STDIN stream. */
    public static ByteBuf endOfStream(ByteBufAllocator alloc, int type) {
        ByteBuf out = alloc.buffer(HEADER_LENGTH);
        writeHeader(out, type, REQUEST_ID, 0, 0);
        return out;
    }

    /**
     * Wraps {@code content} (consumed: its reference passes to the result) into STDIN records of at
     * most {@link #STDIN_CHUNK} bytes each, without copying the body bytes.
     */
    public static ByteBuf stdin(ByteBufAllocator alloc, ByteBuf content) {
        return stream(alloc, STDIN, content, STDIN_CHUNK);
    }

    static ByteBuf stream(ByteBufAllocator alloc, int type, ByteBuf content, int chunk) {
        CompositeByteBuf out = alloc.compositeBuffer();
        try {
            while (content.isReadable()) {
                int n = Math.min(chunk, content.readableBytes());
                int pad = padding(n);
                ByteBuf header = alloc.buffer(HEADER_LENGTH);
                writeHeader(header, type, REQUEST_ID, n, pad);
                out.addComponent(true, header);
                out.addComponent(true, content.readRetainedSlice(n));
                if (pad > 0) {
                    out.addComponent(true, ZEROS.slice(0, pad));
                }
            }
        } finally {
            content.release();
        }
        return out;
    }

    public static String typeName(int type) {
        return switch (type) {
            case BEGIN_REQUEST -> "BEGIN_REQUEST";
            case ABORT_REQUEST -> "ABORT_REQUEST";
            case END_REQUEST -> "END_REQUEST";
            case PARAMS -> "PARAMS";
            case STDIN -> "STDIN";
            case STDOUT -> "STDOUT";
            case STDERR -> "STDERR";
            case DATA -> "DATA";
            case GET_VALUES -> "GET_VALUES";
            case GET_VALUES_RESULT -> "GET_VALUES_RESULT";
            case UNKNOWN_TYPE -> "UNKNOWN_TYPE";
            default -> "type " + type;
        };
    }
}
