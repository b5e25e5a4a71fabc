package io.ferry.stream;

import io.ferry.net.TrafficCounter;
import io.ferry.log.AccessLogs;
import io.ferry.model.StreamServer;
import io.ferry.tunnel.Tunnel;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Errno;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.ferry.variable.SessionScope;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.MatchResult;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream session (nginx's ngx_stream_proxy_module): [TLS handshake] → pick a peer and connect
 * on the client's event loop, moving on to the next peer after a connect failure as
 * proxy_next_upstream allows → relay bytes both ways ({@link StreamRelay}) → write the access logs
 * when it ends. It is also the variable source of the session's log lines and hash key.
 */
final class StreamSession extends ChannelInboundHandlerAdapter implements SessionScope {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    private static final AtomicLong SERIAL = new AtomicLong();

    private final Channel client;
    private final StreamServer server;
    private final UpstreamGroup group;
    private final Tunnels tunnels;
    private final AccessLogs accessLogs;
    private final TrafficCounter clientTraffic = new TrafficCounter();
    private final long connection = SERIAL.incrementAndGet();
    private final long started = System.nanoTime();
    private final Set<Peer> tried = new HashSet<>();
    private final List<String> upstreamAddrs = new ArrayList<>();
    private final List<String> connectTimes = new ArrayList<>();
    /** Bytes that arrived with (or right after) the TLS handshake, before the upstream was connected. */
    private final List<ByteBuf> early = new ArrayList<>();
    private TrafficCounter upstreamTraffic;
    private Channel upstream;
    private long upstreamConnected;
    private long upstreamEnded;
    private ScheduledFuture<?> handshakeTimer;
    private boolean clientInputDone;
    private boolean relaying;
    private boolean ended;
    private long endedAt;
    private int status = 200;
    private StreamRelay relay;

    private StreamSession(Channel client, StreamServer server, UpstreamGroup group, Tunnels tunnels, AccessLogs accessLogs) {
        this.client = client;
        this.server = server;
        this.group = group;
        this.tunnels = tunnels;
        this.accessLogs = accessLogs;
    }

    static void accept(Channel ch, StreamServers.Site site, UpstreamGroup group, Tunnels tunnels, AccessLogs accessLogs) {
        StreamSession session = new StreamSession(ch, site.server(), group, tunnels, accessLogs);
        if (site.ssl() != null) {
            SslHandler ssl = site.ssl().newHandler(ch.alloc());
            // ssl_handshake_timeout is the session's own timer; Netty's 10 s default would cut a longer one short.
            ssl.setHandshakeTimeoutMillis(0);
            ch.pipeline().addLast("ssl", ssl);
        }
        ch.pipeline().addLast("traffic", session.clientTraffic);
        ch.pipeline().addLast("session", session);
    }

    // ---- client side, before and during the relay --------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(SslHandler.class) != null) {
            handshakeTimer = ctx.executor().schedule(() -> {
                if (!relaying && !ended) {
                    LOG.info("SSL handshake timed out while SSL handshaking, client: {}, server: {}", remoteAddr(), serverText());
                    status = 500;
                    client.close();
                }
            }, server.sslHandshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            ctx.read();
        } else {
            connect();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent hs) {
            if (handshakeTimer != null) {
                handshakeTimer.cancel(false);
            }
            if (hs.isSuccess()) {
                connect();
            } else if (!ended) {
                LOG.info("SSL handshake failed ({}) while SSL handshaking, client: {}, server: {}",
                        hs.cause().getMessage(), remoteAddr(), serverText());
                status = 500;
                client.close();
            }
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent && !relaying) {
            // The client finished sending before the upstream was there: passed on once the relay starts.
            clientInputDone = true;
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (relaying) {
            ctx.fireChannelRead(msg);
        } else if (msg instanceof ByteBuf buf && !ended) {
            early.add(buf);
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
        if (ended || !client.isActive()) {
            return;
        }
        Peer peer = group.select(this, tried);
        if (peer == null) {
            if (tried.isEmpty()) {
                logError("no live upstreams while connecting to upstream", null);
            }
            status = 502;
            client.close();
            return;
        }
        tried.add(peer);
        upstreamAddrs.add(peer.server().addressText());
        long attemptStart = System.nanoTime();
        TrafficCounter traffic = new TrafficCounter();
        ChannelFuture f = group.connect(client, peer, server.connectTimeout(), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("traffic", traffic);
            }
        });
        f.addListener((ChannelFutureListener) done -> {
            if (ended || !client.isActive()) {
                done.channel().close();
                connectTimes.add("-");
                end();
                return;
            }
            if (done.isSuccess()) {
                group.succeeded(peer);
                connectTimes.add(seconds(System.nanoTime() - attemptStart));
                upstreamConnected = System.nanoTime();
                upstreamTraffic = traffic;
                startRelay(done.channel());
                return;
            }
            connectTimes.add("-");
            boolean timeout = done.cause() instanceof ConnectTimeoutException;
            logError(timeout ? "upstream timed out (110: Connection timed out) while connecting to upstream"
                    : "connect() failed (" + Errno.describe(done.cause()) + ") while connecting to upstream", peer);
            group.failed(peer, "connecting to upstream");
            if (mayRetry()) {
                connect();
            } else {
                status = 502;
                client.close();
            }
        });
    }

    private boolean mayRetry() {
        if (!server.nextUpstream()) {
            return false;
        }
        if (server.nextUpstreamTries() > 0 && tried.size() >= server.nextUpstreamTries()) {
            return false;
        }
        return server.nextUpstreamTimeout().isZero() || System.nanoTime() - started < server.nextUpstreamTimeout().toNanos();
    }

    private void startRelay(Channel up) {
        relaying = true;
        upstream = up;
        up.closeFuture().addListener(f -> upstreamEnded = System.nanoTime());
        relay = StreamRelay.open(client, up, server, early, clientInputDone, this::end);
        early.clear();
        if (relay.tunnel() != null) {
            tunnels.opened(relay.tunnel(), Tunnels.Kind.STREAM);
        }
    }

    /** The session is over: the access log lines are written once. */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        endedAt = System.nanoTime();
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        if (relay != null && relay.tunnel() != null) {
            tunnels.closed(relay.tunnel());
        }
        if (!server.accessLogs().isEmpty()) {
            accessLogs.log(server.accessLogs(), this);
        }
    }

    private void logError(String what, Peer peer) {
        LOG.error("{}, client: {}, server: {}, upstream: \"{}\", bytes from/to client:{}/{}, bytes from/to upstream:0/0",
                what, remoteAddr(), serverText(), peer == null ? server.upstream().name() : peer.server().addressText(),
                clientTraffic.in(), clientTraffic.out());
    }

    private String serverText() {
        InetSocketAddress local = (InetSocketAddress) client.localAddress();
        return local == null ? "" : address(local) + ":" + local.getPort();
    }

    private static String address(Object a) {
        return a instanceof InetSocketAddress isa && isa.getAddress() != null ? isa.getAddress().getHostAddress() : "";
    }

    static String seconds(long nanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        return String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000);
    }

    // ---- variables ($remote_addr ... $session_time) ---------------------------------------------------

    @Override
    public String remoteAddr() {
        return address(client.remoteAddress());
    }

    @Override
    public String remotePort() {
        return client.remoteAddress() instanceof InetSocketAddress isa ? Integer.toString(isa.getPort()) : "";
    }

    @Override
    public String serverAddr() {
        return address(client.localAddress());
    }

    @Override
    public String serverPort() {
        return client.localAddress() instanceof InetSocketAddress isa ? Integer.toString(isa.getPort()) : "";
    }

    @Override
    public String status() {
        return Integer.toString(status);
    }

    @Override
    public String bytesSent() {
        return relay != null && relay.spliced() ? null : Long.toString(clientTraffic.out());
    }

    @Override
    public String bytesReceived() {
        return relay != null && relay.spliced() ? null : Long.toString(clientTraffic.in());
    }

    @Override
    public String sessionTime() {
        return seconds((ended ? endedAt : System.nanoTime()) - started);
    }

    @Override
    public String connection() {
        return Long.toString(connection);
    }

    @Override
    public String upstreamAddr() {
        return upstreamAddrs.isEmpty() ? null : String.join(", ", upstreamAddrs);
    }

    @Override
    public String upstreamConnectTime() {
        return connectTimes.isEmpty() ? null : String.join(", ", connectTimes);
    }

    @Override
    public String upstreamBytesSent() {
        return upstreamTraffic == null || relay.spliced() ? null : Long.toString(upstreamTraffic.out());
    }

    @Override
    public String upstreamBytesReceived() {
        return upstreamTraffic == null || relay.spliced() ? null : Long.toString(upstreamTraffic.in());
    }

    @Override
    public String upstreamSessionTime() {
        if (upstreamConnected == 0) {
            return null;
        }
        long end = upstreamEnded != 0 ? upstreamEnded : ended ? endedAt : System.nanoTime();
        return seconds(Math.max(0, end - upstreamConnected));
    }

    @Override
    public String sslProtocol() {
        SSLSession s = sslSession();
        return s == null ? null : s.getProtocol();
    }

    @Override
    public String sslCipher() {
        SSLSession s = sslSession();
        return s == null ? null : s.getCipherSuite();
    }

    private SSLSession sslSession() {
        SslHandler ssl = client.pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.engine().getSession();
    }

    // HTTP-only values: a stream session has none of them.

    @Override
    public String serverName() {
        return "";
    }

    @Override
    public String host() {
        return null;
    }

    @Override
    public String requestHeader(String lowerName) {
        return null;
    }

    @Override
    public String args() {
        return null;
    }

    @Override
    public String uri() {
        return null;
    }

    @Override
    public String requestUri() {
        return null;
    }

    @Override
    public String method() {
        return null;
    }

    @Override
    public String scheme() {
        return null;
    }

    @Override
    public String protocol() {
        return "TCP";
    }

    @Override
    public String proxyHost() {
        return null;
    }

    @Override
    public String proxyPort() {
        return null;
    }

    @Override
    public String requestId() {
        return null;
    }

    @Override
    public String capture(int n) {
        return null;
    }

    @Override
    public String capture(String name) {
        return null;
    }

    @Override
    public void captures(MatchResult match) {
        // no regexes match against a stream session
    }
}
