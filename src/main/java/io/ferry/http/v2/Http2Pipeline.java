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
import io.netty.handler.codec.http2.Http2CodecUtil;
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

    /**
     * A field that would fill more than half of the client's HPACK table (4096 bytes unless it says
     * otherwise) is sent as a literal, as nginx sends every field: indexing it would evict the fields
     * worth keeping, and a long header block then spans CONTINUATION frames as nginx's does. One larger
     * than the table is never indexed anyway and keeps the plain literal form (nginx's, and what
     * simpler HPACK decoders expect), rather than the never-indexed one this marks.
     */
    private static boolean unindexed(CharSequence name, CharSequence value) {
        int size = name.length() + value.length() + 32;
        return size > Http2CodecUtil.DEFAULT_HEADER_TABLE_SIZE / 2 && size <= Http2CodecUtil.DEFAULT_HEADER_TABLE_SIZE;
    }

    /** Whether {@code server} (the address's default, or the one TLS chose by name) speaks HTTP/2 on this connection. */
    public static boolean enabled(VirtualServer server, boolean listenHttp2) {
        return listenHttp2 || server.fallback().module(Http2Module.SETTINGS).enabled();
    }

    /**
     * After a reload an HTTP/2 connection ends as nginx's old worker ends it: GOAWAY, its streams in flight
     * finish, and the client opens its next connection to the new configuration, settings and all.
     */
    public static void reconfigured(Channel ch) {
        ch.eventLoop().execute(() -> {
            Http2Connection h2 = ch.pipeline().get(Http2Connection.class);
            if (h2 != null) {
                h2.closeWhenIdle();
            }
        });
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
                .maxHeaderListSize(HeaderBlockLimit.headerListSize(limits))
                // RFC 8441: WebSockets open on a stream of this connection, not on a second one
                .connectProtocolEnabled(true);
        Http2FrameCodec codec = Http2Defences.apply(Http2FrameCodecBuilder.forServer())
                .initialSettings(initial)
                // a close is final (stop, worker_shutdown_timeout, an error): GOAWAY, then closed at once;
                // the graceful end that waits for streams is Http2Connection's
                .gracefulShutdownTimeoutMillis(0)
                .validateHeaders(false)
                .headerSensitivityDetector(Http2Pipeline::unindexed)
                .build();
        codec.connection().remote().flowController(new ChunkFlowController(codec.connection(), h2.chunkSize()));
        Http2Connection connection = new Http2Connection(states, level.keepaliveTimeout(),
                level.clientTimeouts().keepaliveRequests(), level.clientTimeouts().keepaliveTime(),
                level.module(ConnectionModule.SETTINGS));
        RequestHeaders headers = new RequestHeaders(level.module(ConnectionModule.SETTINGS), true);
        HeaderBlockSizes headerSizes = new HeaderBlockSizes();
        p.addLast("h2-preface", new PrefaceSettings());
        p.addLast("h2-header-sizes", headerSizes);
        p.addLast("h2", codec);
        p.addLast("h2-body-length", new BodyLengthCheck());
        p.addLast("h2-data", new DataCoalescing());
        p.addLast("h2-errors", new Http2Errors());
        p.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                TrafficCounter traffic = new TrafficCounter();
                // $request_length counts the header block as sent, as nginx's; DATA is counted as it is read
                traffic.add(headerSizes.take(stream.stream().id()), 0);
                stream.pipeline().addLast("traffic", traffic);
                stream.pipeline().addLast("send-timeout", new StreamTimeouts(level.clientTimeouts().send()));
                stream.pipeline().addLast("h2-limit", new HeaderBlockLimit(limits));
                stream.pipeline().addLast("http", new StreamCodec(headers, h2.chunkSize()));
                streams.assemble(stream, connection);
                connection.streamOpened(stream);
            }
        }));
        p.addLast("h2-connection", connection);
        ch.config().setAutoRead(true);
    }
}
