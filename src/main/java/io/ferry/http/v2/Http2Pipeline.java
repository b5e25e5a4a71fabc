package io.ferry.http.v2;

import io.ferry.http.conn.ConnectionModule;
import io.ferry.http.conn.ConnectionStates;
import io.ferry.model.LocationSettings;
import io.ferry.model.ServerLimits;
import io.ferry.model.VirtualServer;
import io.ferry.net.TrafficCounter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Turns an accepted HTTP connection into an HTTP/2 one: Netty's frame codec (HPACK, flow control, the
 * protocol's state machine) under a multiplexer that gives each stream a child channel. A stream's
 * pipeline is the HTTP/1 connection's with {@link StreamCodec} in place of the byte codec, so every
 * module serves it unchanged.
 */
public final class Http2Pipeline {
    /** The HTTP/1.x handlers an HTTP/2 connection replaces; those below them (TLS, timeouts, counters) stay. */
    private static final String[] HTTP1 = {"http", "filters", "chunked", "handler"};

    /** What a stream's pipeline gets above the stream codec: the filters and the exchange handler. */
    @FunctionalInterface
    public interface Streams {
        void assemble(Http2StreamChannel stream, io.ferry.http.MultiplexedConnection connection);
    }

    private Http2Pipeline() {
    }

    /** Whether {@code server} (the address's default, or the one TLS chose by name) speaks HTTP/2 on this connection. */
    public static boolean enabled(VirtualServer server, boolean listenHttp2) {
        return listenHttp2 || server.fallback().module(Http2Module.SETTINGS).enabled();
    }

    /**
     * Replaces the HTTP/1.x handlers of {@code ch} with HTTP/2's, its settings those of {@code server}. The
     * connection reads on its own from now on: flow control, not read interest, bounds what a client may send.
     */
    public static void install(Channel ch, VirtualServer server, ConnectionStates states, Streams streams) {
        ChannelPipeline p = ch.pipeline();
        for (String name : HTTP1) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        LocationSettings level = server.fallback();
        Http2Settings h2 = level.module(Http2Module.SETTINGS);
        ServerLimits limits = server.limits();
        io.netty.handler.codec.http2.Http2Settings initial = new io.netty.handler.codec.http2.Http2Settings()
                .maxConcurrentStreams(h2.maxConcurrentStreams())
                .initialWindowSize(h2.bodyPrereadSize())
                .maxHeaderListSize((long) limits.largeBufferCount() * limits.largeBufferSize())
                // RFC 8441: WebSockets open on a stream of this connection, not on a second one
                .connectProtocolEnabled(true);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(initial)
                .validateHeaders(false)
                .build();
        Http2Connection connection = new Http2Connection(states, level.keepaliveTimeout(),
                level.clientTimeouts().keepaliveRequests());
        RequestHeaders headers = new RequestHeaders(level.module(ConnectionModule.SETTINGS), true);
        p.addLast("h2-preface", new PrefaceSettings());
        p.addLast("h2", codec);
        p.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                stream.pipeline().addLast("traffic", new TrafficCounter());
                stream.pipeline().addLast("http", new StreamCodec(headers, h2.chunkSize()));
                streams.assemble(stream, connection);
                connection.streamOpened(stream);
            }
        }));
        p.addLast("h2-connection", connection);
        ch.config().setAutoRead(true);
    }
}
