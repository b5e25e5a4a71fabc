package io.ferry.http.v2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Netty's flow controller with one difference: DATA frames waiting for a window stay the frames they were
 * written as, where Netty merges them into one. nginx slices a response body into DATA frames of at most
 * http2_chunk_size whether or not the client's window holds them up, and a window smaller than a frame
 * splits only that frame.
 */
final class ChunkFlowController implements Http2RemoteFlowController {
    private final Http2RemoteFlowController netty;

    ChunkFlowController(Http2RemoteFlowController netty) {
        this.netty = netty;
    }

    @Override
    public void addFlowControlled(Http2Stream stream, FlowControlled frame) {
        netty.addFlowControlled(stream, new Unmerged(frame));
    }

    /** A frame that never takes the next one into itself, and is never taken into the one before it. */
    private record Unmerged(FlowControlled frame) implements FlowControlled {
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
            return false;
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
