package io.ferry.http.v2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Netty's flow controller with one difference: DATA frames waiting for a window are merged only while the
 * result stays within the stream's http2_chunk_size, where Netty merges them without limit. nginx slices a
 * response body into DATA frames of at most http2_chunk_size, filling each from as many small buffers as fit,
 * whether or not the client's window holds them up; a window smaller than a frame splits only that frame.
 */
final class ChunkFlowController implements Http2RemoteFlowController {
    private final Http2RemoteFlowController netty;
    private final Http2Connection.PropertyKey chunkSize;
    private final int defaultChunkSize;

    ChunkFlowController(Http2Connection connection, int defaultChunkSize) {
        this.netty = connection.remote().flowController();
        this.chunkSize = connection.newKey();
        this.defaultChunkSize = defaultChunkSize;
    }

    /** The answering location's http2_chunk_size, for the stream {@code id}. */
    void chunkSize(int id, int size) {
        Http2Stream stream = netty.channelHandlerContext() == null ? null : connectionStream(id);
        if (stream != null) {
            stream.setProperty(chunkSize, size);
        }
    }

    private Http2Stream connectionStream(int id) {
        Http2FrameCodec codec = netty.channelHandlerContext().pipeline().get(Http2FrameCodec.class);
        return codec == null ? null : codec.connection().stream(id);
    }

    @Override
    public void addFlowControlled(Http2Stream stream, FlowControlled frame) {
        Integer limit = stream.getProperty(chunkSize);
        netty.addFlowControlled(stream, new Limited(frame, limit == null ? defaultChunkSize : limit));
    }

    /** A frame that takes the next one into itself only while both fit in one chunk. */
    private record Limited(FlowControlled frame, int limit) implements FlowControlled {
        @Override
        public int size() {
            return frame.size();
        }

        @Override
        public void error(ChannelHandlerContext ctx, Throwable cause) {
            frame.error(ctx, cause);
        }

        @Override
        public void writeComplete() {
            frame.writeComplete();
        }

        @Override
        public void write(ChannelHandlerContext ctx, int allowedBytes) {
            frame.write(ctx, allowedBytes);
        }

        @Override
        public boolean merge(ChannelHandlerContext ctx, FlowControlled next) {
            return next instanceof Limited n && frame.size() + n.size() <= limit && frame.merge(ctx, n.frame());
        }
    }

    @Override
    public ChannelHandlerContext channelHandlerContext() {
        return netty.channelHandlerContext();
    }

    @Override
    public void channelHandlerContext(ChannelHandlerContext ctx) throws Http2Exception {
        netty.channelHandlerContext(ctx);
    }

    @Override
    public boolean hasFlowControlled(Http2Stream stream) {
        return netty.hasFlowControlled(stream);
    }

    @Override
    public void writePendingBytes() throws Http2Exception {
        netty.writePendingBytes();
    }

    @Override
    public void listener(Listener listener) {
        netty.listener(listener);
    }

    @Override
    public boolean isWritable(Http2Stream stream) {
        return netty.isWritable(stream);
    }

    @Override
    public void channelWritabilityChanged() throws Http2Exception {
        netty.channelWritabilityChanged();
    }

    @Override
    public void updateDependencyTree(int childStreamId, int parentStreamId, short weight, boolean exclusive) {
        netty.updateDependencyTree(childStreamId, parentStreamId, weight, exclusive);
    }

    @Override
    public void initialWindowSize(int newWindowSize) throws Http2Exception {
        netty.initialWindowSize(newWindowSize);
    }

    @Override
    public int initialWindowSize() {
        return netty.initialWindowSize();
    }

    @Override
    public int windowSize(Http2Stream stream) {
        return netty.windowSize(stream);
    }

    @Override
    public void incrementWindowSize(Http2Stream stream, int delta) throws Http2Exception {
        netty.incrementWindowSize(stream, delta);
    }
}
