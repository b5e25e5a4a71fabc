package io.ferry.http.v2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Keeps each DATA frame the size the stream codec gave it (the location's http2_chunk_size), as nginx sends
 * them. Netty's flow controller merges the DATA frames a stream queues into one and cuts that at the
 * client's largest frame size; this controller hands it each frame as one that merges with nothing, and
 * leaves everything else (windows, writability, priorities) to it.
 */
final class FrameSizeKeeper implements Http2RemoteFlowController {
    private final Http2RemoteFlowController flow;

    private FrameSizeKeeper(Http2RemoteFlowController flow) {
        this.flow = flow;
    }

    /** Installs itself over {@code connection}'s flow controller; before the codec is in a pipeline. */
    static void install(Http2Connection connection) {
        connection.remote().flowController(new FrameSizeKeeper(connection.remote().flowController()));
    }

    @Override
    public void addFlowControlled(Http2Stream stream, FlowControlled frame) {
        flow.addFlowControlled(stream, new Unmerged(frame));
    }

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
        return flow.channelHandlerContext();
    }

    @Override
    public void channelHandlerContext(ChannelHandlerContext ctx) throws Http2Exception {
        flow.channelHandlerContext(ctx);
    }

    @Override
    public boolean hasFlowControlled(Http2Stream stream) {
        return flow.hasFlowControlled(stream);
    }

    @Override
    public void writePendingBytes() throws Http2Exception {
        flow.writePendingBytes();
    }

    @Override
    public void listener(Listener listener) {
        flow.listener(listener);
    }

    @Override
    public boolean isWritable(Http2Stream stream) {
        return flow.isWritable(stream);
    }

    @Override
    public void channelWritabilityChanged() throws Http2Exception {
        flow.channelWritabilityChanged();
    }

    @Override
    public void updateDependencyTree(int childStreamId, int parentStreamId, short weight, boolean exclusive) {
        flow.updateDependencyTree(childStreamId, parentStreamId, weight, exclusive);
    }

    @Override
    public void initialWindowSize(int newWindowSize) throws Http2Exception {
        flow.initialWindowSize(newWindowSize);
    }

    @Override
    public int initialWindowSize() {
        return flow.initialWindowSize();
    }

    @Override
    public int windowSize(Http2Stream stream) {
        return flow.windowSize(stream);
    }

    @Override
    public void incrementWindowSize(Http2Stream stream, int delta) throws Http2Exception {
        flow.incrementWindowSize(stream, delta);
    }
}
