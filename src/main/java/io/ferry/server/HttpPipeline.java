package io.ferry.server;

import io.ferry.http.conn.ConnectionStates;
import io.ferry.http.v2.AlpnSwitch;
import io.ferry.http.v2.Http2Pipeline;
import io.ferry.http.v2.PrefaceSwitch;
import io.ferry.tls.ServerNames;
import io.ferry.http.HttpConnectionHandler;
import io.ferry.http.ResponseFilter;
import io.ferry.http.SendTimeout;
import io.ferry.http.ServerCodec;
import io.ferry.model.ServerLimits;
import io.ferry.model.VirtualServer;
import io.ferry.net.ListenerSet;
import io.ferry.net.SocketPlan;
import io.ferry.net.TrafficCounter;
import io.ferry.proxyprotocol.ProxyProtocolReader;
import io.ferry.tls.RejectingSniHandler;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.stream.ChunkedWriteHandler;

/**
 * The handlers of an accepted HTTP connection, in order: TLS by SNI, send timeout, byte counter,
 * the strict HTTP codec (its limits from the default server of the address), the body filter chain,
 * chunked file writes, and the connection handler that drives the exchanges. Where HTTP/2 is on, ALPN
 * (or, on a plain socket, the client's preface) may swap the codec and what is above it for HTTP/2's.
 */
final class HttpPipeline {
    private final Handlers handlers;
    private final RequestRecorder recorder;
    private final ConnectionStates states;

    HttpPipeline(Handlers handlers, RequestRecorder recorder, ConnectionStates states) {
        this.handlers = handlers;
        this.recorder = recorder;
        this.states = states;
    }

    void assemble(Channel ch, ListenerSet.Listener<SocketPlan<Site>> listener) {
        java.net.SocketAddress local = ch.localAddress();
        Site site = listener.plan().siteFor(local);
        if (site.proxyProtocol()) {
            ProxyProtocolReader.install(ch.pipeline(), "reading PROXY protocol");
        }
        VirtualServer defaults = site.selector().defaultServer();
        if (site.secure()) {
            ch.pipeline().addLast("sni", new RejectingSniHandler(site.sni()));
            ch.pipeline().addLast("alpn", new AlpnSwitch(ssl -> http2(ch, listener, local,
                    site.selector().select(ServerNames.requested(ssl.engine().getSession())))));
        } else if (Http2Pipeline.enabled(defaults, site.listenHttp2())) {
            ch.pipeline().addLast("preface", new PrefaceSwitch(() -> http2(ch, listener, local, defaults)));
        }
        ServerLimits limits = defaults.limits();
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setInitialBufferSize(limits.headerBufferSize())
                .setMaxInitialLineLength(limits.largeBufferSize())
                .setMaxHeaderSize(limits.largeBufferCount() * limits.largeBufferSize())
                .setMaxChunkSize(64 * 1024)
                .setStrictLineParsing(false);
        ch.pipeline().addLast("send-timeout", new SendTimeout(defaults.fallback().clientTimeouts().send()));
        ch.pipeline().addLast("traffic", new TrafficCounter());
        ch.pipeline().addLast("http", new ServerCodec(decoder, limits.largeBufferSize(),
                defaults.fallback().module(io.ferry.http.conn.ConnectionModule.SETTINGS)));
        ch.pipeline().addLast("filters", new ResponseFilter());
        ch.pipeline().addLast("chunked", new ChunkedWriteHandler());
        ch.pipeline().addLast("handler", new HttpConnectionHandler(
                () -> listener.plan().siteFor(local).selector(), handlers, recorder, states, site.secure()));
    }

    /** The connection speaks HTTP/2 from now on; each stream's exchange goes through the filters and handler HTTP/1 uses. */
    private void http2(Channel ch, ListenerSet.Listener<SocketPlan<Site>> listener, java.net.SocketAddress local,
                       VirtualServer server) {
        boolean secure = listener.plan().siteFor(local).secure();
        Http2Pipeline.install(ch, server == null ? listener.plan().siteFor(local).selector().defaultServer() : server,
                states, (stream, connection) -> {
                    stream.pipeline().addLast("filters", new ResponseFilter());
                    stream.pipeline().addLast("chunked", new ChunkedWriteHandler());
                    stream.pipeline().addLast("handler", new HttpConnectionHandler(
                            () -> listener.plan().siteFor(local).selector(), handlers, recorder, states, secure,
                            connection));
                });
    }
}
