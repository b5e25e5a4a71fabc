package io.ferry.server;

import io.ferry.http.conn.ConnectionStates;
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
 * chunked file writes, and the connection handler that drives the exchanges.
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
        if (site.secure()) {
            ch.pipeline().addLast("sni", new RejectingSniHandler(site.sni()));
        }
        VirtualServer defaults = site.selector().defaultServer();
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
}
