package io.ferry.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/** One decoded record: its type, request id and content (padding already skipped). Owns {@code content}. */
public final class FastCgiRecord extends AbstractReferenceCounted {
    private final int type;
    private final int requestId;
    private final ByteBuf content;

    public FastCgiRecord(int type, int requestId, ByteBuf content) {
        this.type = type;
        this.requestId = requestId;
        this.content = content;
    }

    public int type() {
        return type;
    }

    public int requestId() {
        return requestId;
    }

    public ByteBuf content() {
        return content;
    }

    /** FCGI_END_REQUEST's appStatus (the script's exit status). */
    public long appStatus() {
        return content.readableBytes() >= 4 ? content.getUnsignedInt(content.readerIndex()) : 0;
    }

    /** FCGI_END_REQUEST's protocolStatus: {@link FastCgi#REQUEST_COMPLETE} or why the request was refused. */
    public int protocolStatus() {
        return content.readableBytes() >= 5 ? content.getUnsignedByte(content.readerIndex() + 4) : -1;
    }

    @Override
    protected void deallocate() {
        content.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        content.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "FastCgiRecord(" + FastCgi.typeName(type) + ", id " + requestId + ", " + content.readableBytes() + " bytes)";
    }
}
