package io.ferry.stream;

import io.ferry.proxyprotocol.ProxyProtocolReader;
import io.ferry.proxyprotocol.ProxyProtocolWriter;
import io.ferry.net.Pacer;
import io.ferry.net.TrafficCounter;
import io.ferry.log.AccessLogs;
import io.ferry.tls.ClientVerify;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.NextUpstream.Condition;
import io.ferry.upstream.Peer;
import io.ferry.upstream.PeerDialer;
import io.ferry.upstream.UpstreamGroup;
import io.ferry.upstream.Upstreams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.StreamEpollInterest;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream session (nginx's ngx_stream_proxy_module): [PROXY protocol header] → [TLS handshake] → a connection to a peer
 * through a {@link PeerDialer}, moving on to the next peer after a connect failure as
 * proxy_next_upstream allows → relay bytes both ways ({@link StreamRelay}) → write the access logs
 * when it ends. What it records for log lines and the hash key is in {@link StreamVariables}.
 */
final class StreamSession extends ChannelInboundHandlerAdapter implements PeerDialer.Caller {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    /** How long a refused client may go on sending before its socket closes (nginx's lingering_timeout). */
    private static final long REFUSED_LINGER_MS = 5000;

    private final Channel client;
    private final StreamServer server;
    private final Upstreams upstreams;
    private final NextUpstream next;
    /** The upstream and its dialer: from proxy_pass, or found by its variables when the content phase starts. */
    private UpstreamGroup group;
    private PeerDialer dialer;
    private final Tunnels tunnels;
    private final AccessLogs accessLogs;
    private final StreamVariables variables;
    /** Bytes that arrived with (or right after) the TLS handshake, before the upstream was connected. */
    private final List<ByteBuf> early = new ArrayList<>();
    /** What limit_conn counted, let go when the session ends. */
    private final List<Runnable> releases = new ArrayList<>(1);
    private ScheduledFuture<?> handshakeTimer;
    private ScheduledFuture<?> headerTimer;
    private ScheduledFuture<?> prereadTimer;
    private boolean clientInputDone;
    private boolean relaying;
    private boolean refused;
    private boolean ended;
    private StreamRelay relay;
    /** The next phase handler to run; a handler that answered AGAIN is asked again when bytes arrive. */
    private int phase;
    private boolean waiting;

    private StreamSession(Channel client, StreamServer server, Upstreams upstreams, Tunnels tunnels, AccessLogs accessLogs) {
        this.client = client;
        this.server = server;
        this.upstreams = upstreams;
        this.tunnels = tunnels;
        this.accessLogs = accessLogs;
        this.variables = new StreamVariables(client, early);
        variables.clientVerify(server.tls() == null ? ClientVerify.OFF : server.tls().clientVerify());
        variables.prereadLimit(server.prereadBufferSize());
        // The stream proxy_next_upstream is a flag for both ways a connect fails.
        this.next = new NextUpstream(server.nextUpstream() ? EnumSet.of(Condition.ERROR, Condition.TIMEOUT) : Set.of(),
                server.nextUpstreamTries(), server.nextUpstreamTimeout());
        if (server.upstream() != null) {
            dialTo(upstreams.group(server.upstream()));
        }
    }

    private void dialTo(UpstreamGroup g) {
        group = g;
        dialer = new PeerDialer(g, variables, client, next, server.connectTimeout(), this);
    }

    static void accept(Channel ch, StreamServers.Site site, Upstreams upstreams, Tunnels tunnels, AccessLogs accessLogs) {
        StreamSession session = new StreamSession(ch, site.server(), upstreams, tunnels, accessLogs);
        if (site.proxyProtocol()) {
            ProxyProtocolReader.install(ch.pipeline(), "reading PROXY protocol");
        }
        if (site.ssl() != null) {
            SslHandler ssl = site.ssl().newHandler(ch.alloc());
            // ssl_handshake_timeout is the session's own timer; Netty's 10 s default would cut a longer one short.
            ssl.setHandshakeTimeoutMillis(0);
            ch.pipeline().addLast("ssl", ssl);
        }
        StreamEpollInterest.keepRegistered(ch);
        ch.pipeline().addLast("traffic", session.variables.clientTraffic());
        if (site.server().downloadRate() > 0) {
            ch.pipeline().addLast("pacer", new Pacer());
        }
        ch.pipeline().addLast("session", session);
    }

    // ---- client side, before and during the relay --------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ProxyProtocolReader.pending(ctx.pipeline())) {
            // as nginx, the header comes before every phase: limit_conn, TLS and the upstream wait for it
            headerTimer = ctx.executor().schedule(() -> {
                if (!ended) {
                    LOG.info("client timed out while reading PROXY protocol, client: {}, server: {}",
                            variables.remoteAddr(), variables.serverText());
                    variables.status(200);
                    client.close();
                }
            }, server.proxyProtocolTimeout().toMillis(), TimeUnit.MILLISECONDS);
            ctx.read();
        } else {
            start(ctx);
        }
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        StreamLimitConn.Status limited = server.limitConn().check(variables, releases);
        variables.limitConnStatus(limited);
        if (limited == StreamLimitConn.Status.REJECTED) {
            variables.status(503);
            refuse();
            return;
        }
        advance(ctx);
    }

    /** Runs the phase handlers from the next one on, the TLS handshake at its place, then the content. */
    private void advance(ChannelHandlerContext ctx) {
        List<StreamHandler> handlers = server.phases().handlers();
        while (phase < handlers.size() || phase == server.phases().preread()) {
            if (phase == server.phases().preread() && !handshaken(ctx)) {
                return;
            }
            if (phase == handlers.size()) {
                break;
            }
            int answer = handlers.get(phase).handle(variables);
            if (answer == StreamHandler.AGAIN) {
                if (variables.prereadFull()) {
                    LOG.error("preread buffer full while prereading client data, client: {}, server: {}",
                            variables.remoteAddr(), variables.serverText());
                    variables.status(400);
                    client.close();
                    return;
                }
                if (!clientInputDone) {
                    waitForPreread(ctx);
                    return;
                }
                // nginx: the client's end of input ends the preread phase, as its timeout does
                phase = handlers.size();
                break;
            }
            if (answer != StreamHandler.NEXT) {
                variables.status(answer);
                client.close();
                return;
            }
            phase++;
        }
        waiting = false;
        if (prereadTimer != null) {
            prereadTimer.cancel(false);
        }
        content();
    }

    /** More bytes are wanted; preread_timeout, counted from the first wait, then goes on to the content with what came. */
    private void waitForPreread(ChannelHandlerContext ctx) {
        waiting = true;
        if (prereadTimer == null) {
            prereadTimer = ctx.executor().schedule(() -> {
                if (waiting && !ended) {
                    phase = server.phases().handlers().size();
                    advance(ctx);
                }
            }, server.prereadTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        ctx.read();
    }

    /**
     * True when the session may go on past the TLS handshake's place: no TLS, or the handshake is
     * done; else starts it (once), and its completion runs the phases on.
     */
    private boolean handshaken(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null || ssl.handshakeFuture().isSuccess()) {
            return true;
        }
        if (handshakeTimer == null) {
            startHandshake(ctx);
        }
        return false;
    }

    private void startHandshake(ChannelHandlerContext ctx) {
        handshakeTimer = ctx.executor().schedule(() -> {
            if (!relaying && !ended) {
                LOG.info("SSL handshake timed out while SSL handshaking, client: {}, server: {}",
                        variables.remoteAddr(), variables.serverText());
                variables.status(500);
                client.close();
            }
        }, server.sslHandshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.read();
    }

    /** The content phase: return's text, or the upstream (proxy_pass's, or the one its variables name). */
    private void content() {
        if (server.returnText() == null) {
            if (server.passValue() != null && !ended) {
                StreamPassValue.Target target = server.passValue().find(variables);
                if (target.upstream() == null) {
                    LOG.error("{} while connecting to upstream, client: {}, server: {}", target.error(), variables.remoteAddr(),
                            variables.serverText());
                    variables.status(target.status());
                    client.close();
                    return;
                }
                dialTo(target.shared() ? upstreams.group(target.upstream()) : new UpstreamGroup(target.upstream()));
            }
            connect();
            return;
        }
        if (!ended && client.isActive()) {
            byte[] text = server.returnText().render(variables).getBytes(StandardCharsets.UTF_8);
            client.writeAndFlush(Unpooled.wrappedBuffer(text)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Closing with the client's first bytes unread would reset the connection (on epoll a refusal, or
     * an upstream that cannot be had, comes before they are read), and a reset loses the end the
     * client should see: our end goes first, what the client still sends is dropped, and the socket closes at its end of input or
     * after {@link #REFUSED_LINGER_MS}. A TLS connection closes at once, its bytes never decoded.
     */
    private void refuse() {
        if (!(client instanceof DuplexChannel duplex) || client.pipeline().get(SslHandler.class) != null) {
            client.close();
            return;
        }
        refused = true;
        duplex.shutdownOutput();
        client.eventLoop().schedule(() -> client.close(), REFUSED_LINGER_MS, TimeUnit.MILLISECONDS);
        client.config().setAutoRead(true);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ProxyProtocolReader.Outcome outcome) {
            headerTimer.cancel(false);
            if (outcome == ProxyProtocolReader.Outcome.READ) {
                start(ctx);
            } else {
                variables.status(400);
            }
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent hs) {
            if (handshakeTimer != null) {
                handshakeTimer.cancel(false);
            }
            String refused = hs.isSuccess() ? StreamClientVerify.refusal(server, client) : null;
            if (refused != null) {
                LOG.info("{} while SSL handshaking, client: {}, server: {}", refused, variables.remoteAddr(), variables.serverText());
                variables.status(500);
                client.close();
            } else if (hs.isSuccess()) {
                advance(ctx);
            } else if (!ended) {
                LOG.info("SSL handshake failed ({}) while SSL handshaking, client: {}, server: {}",
                        hs.cause().getMessage(), variables.remoteAddr(), variables.serverText());
                variables.status(500);
                client.close();
            }
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent && !relaying) {
            if (refused) {
                client.close();
                return;
            }
            // The client finished sending before the upstream was there: passed on once the relay starts.
            clientInputDone = true;
            if (waiting && !ended) {
                phase = server.phases().handlers().size();
                advance(ctx);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (relaying) {
            ctx.fireChannelRead(msg);
        } else if (msg instanceof ByteBuf buf && !ended && !refused) {
            early.add(buf);
            if (waiting) {
                advance(ctx);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (relaying) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!relaying) {
            end();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (relaying) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        LOG.debug("stream client {} failed", client, cause);
        client.close();
    }

    // ---- upstream ------------------------------------------------------------------------------

    private void connect() {
        if (!ended && client.isActive()) {
            dialer.dial();
        }
    }

    @Override
    public PeerDialer.Attempt attempt(Peer peer) {
        variables.attempt(peer.server().addressText());
        long attemptStart = System.nanoTime();
        TrafficCounter traffic = new TrafficCounter();
        return new PeerDialer.Attempt() {
            @Override
            public void init(Channel ch) {
                StreamEpollInterest.keepRegistered(ch);
                ch.pipeline().addLast("traffic", traffic);
                if (server.uploadRate() > 0) {
                    ch.pipeline().addLast("pacer", new Pacer());
                }
                if (server.proxySsl() != null) {
                    StreamProxySsl.install(ch, server, variables, peer);
                }
            }

            @Override
            public boolean wanted() {
                // A client that went away meanwhile ends the session through channelInactive.
                return !ended && client.isActive();
            }

            @Override
            public void connected(Channel ch, boolean pooled) {
                group.succeeded(peer);
                variables.connected(attemptStart, traffic);
                if (server.proxyProtocol()) {
                    // the PROXY header goes ahead of the upstream's TLS, as nginx sends it
                    Object header = ProxyProtocolWriter.header(client.remoteAddress(), client.localAddress());
                    ChannelHandlerContext tls = ch.pipeline().context(StreamProxySsl.NAME);
                    if (tls != null) {
                        tls.write(header);
                    } else {
                        ch.write(header);
                    }
                }
                if (server.proxySsl() == null) {
                    startRelay(ch);
                    return;
                }
                StreamProxySsl.afterHandshake(ch, () -> startRelay(ch), what -> {
                    logError(what + " while SSL handshaking to upstream", peer);
                    group.failed(peer, "SSL handshaking to upstream");
                    ch.close();
                    variables.status(502);
                    refuse();
                });
            }

            @Override
            public void failed() {
                variables.attemptFailed(attemptStart);
            }
        };
    }

    @Override
    public void exhausted(Condition cause) {
        variables.status(502);
        refuse();
    }

    private void startRelay(Channel up) {
        relaying = true;
        // as nginx, both rates count from the moment the upstream is connected
        long now = System.nanoTime();
        if (server.downloadRate() > 0) {
            client.write(new Pacer.Rate(server.downloadRate(), 0, now));
        }
        if (server.uploadRate() > 0) {
            up.write(new Pacer.Rate(server.uploadRate(), 0, now));
        }
        // handed over first: a relay that ends at once (the client is gone) must not see them as the session's
        List<ByteBuf> first = new ArrayList<>(early);
        early.clear();
        // the session ends when the client has been sent all (a proxy_download_rate may still be pacing it out)
        relay = StreamRelay.open(client, up, server, first, clientInputDone, () -> client.closeFuture().addListener(f -> end()));
        if (!ended) {
            tunnels.opened(relay.tunnel(), Tunnels.Kind.STREAM);
        }
    }

    /** The session is over: the access log lines are written once. */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        variables.ended();
        releases.forEach(Runnable::run);
        releases.clear();
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (prereadTimer != null) {
            prereadTimer.cancel(false);
        }
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        if (relay != null) {
            tunnels.closed(relay.tunnel());
        }
        if (!server.accessLogs().isEmpty()) {
            accessLogs.log(server.accessLogs(), variables);
        }
    }

    @Override
    public void logError(String what, Peer peer) {
        LOG.error("{}, client: {}, server: {}, upstream: \"{}\", bytes from/to client:{}/{}, bytes from/to upstream:0/0",
                what, variables.remoteAddr(), variables.serverText(),
                peer == null ? group.config().name() : peer.server().addressText(),
                variables.clientTraffic().in(), variables.clientTraffic().out());
    }
}
