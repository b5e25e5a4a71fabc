package io.ferry.stream;

import io.ferry.net.TrafficCounter;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP session of a stream server (nginx's SOCK_DGRAM session): the client's datagrams, from
 * one address and port, run the stream phases once (on the first one), then get return's text as
 * one datagram, or go to one upstream socket whose datagrams go back to the client. It ends, as in
 * nginx, once proxy_requests datagrams came (when set) and proxy_responses answers came back for each
 * of them, or after proxy_timeout without a datagram either way (502 when answers were missing).
 * Everything runs on the listening socket's event loop.
 */
final class DatagramSession {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    private final DatagramListeners.Listener listener;
    private final InetSocketAddress client;
    private final StreamServer server;
    private final UpstreamGroup group;
    private final List<ByteBuf> first = new ArrayList<>(1);
    private final StreamVariables variables;
    private final TrafficCounter upstreamTraffic = new TrafficCounter();
    private final List<Runnable> releases = new ArrayList<>(1);
    /** Client datagrams that came while the upstream socket was being opened (the next peer's after a failure). */
    private final List<ByteBuf> waiting = new ArrayList<>();
    private final Set<Peer> tried = new HashSet<>();
    private Peer peer;
    private Channel upstream;
    private ScheduledFuture<?> idle;
    private int requests;
    private int responses;
    private boolean ended;

    DatagramSession(DatagramListeners.Listener listener, InetSocketAddress client, StreamServer server, UpstreamGroup group) {
        this.listener = listener;
        this.client = client;
        this.server = server;
        this.group = group;
        this.variables = new StreamVariables(listener.channel().localAddress(), client, first);
    }

    /** The first datagram: the phases, then the content. */
    void start(ByteBuf datagram) {
        first.add(datagram);
        counted(datagram);
        StreamLimitConn.Status limited = server.limitConn().check(variables, releases);
        variables.limitConnStatus(limited);
        if (limited == StreamLimitConn.Status.REJECTED) {
            end(503);
            return;
        }
        for (StreamHandler h : server.phases().handlers()) {
            int answer = h.handle(variables);
            // AGAIN (a preread handler wanting more) cannot be: the whole datagram is all there is
            if (answer != StreamHandler.NEXT && answer != StreamHandler.AGAIN) {
                end(answer);
                return;
            }
        }
        if (server.returnText() != null) {
            byte[] text = server.returnText().render(variables).getBytes(StandardCharsets.UTF_8);
            toClient(Unpooled.wrappedBuffer(text));
            end(200);
            return;
        }
        first.clear();
        waiting.add(datagram);
        connect();
    }

    /** A later datagram of the client. */
    void fromClient(ByteBuf datagram) {
        if (ended) {
            datagram.release();
            return;
        }
        counted(datagram);
        if (upstream == null || !upstream.isActive()) {
            waiting.add(datagram);
        } else {
            toUpstream(datagram);
        }
    }

    private void counted(ByteBuf datagram) {
        variables.clientTraffic().add(datagram.readableBytes(), 0);
        requests++;
        if (server.udp().requests() > 0 && requests >= server.udp().requests()) {
            listener.unbind(client, this);
        }
    }

    private void connect() {
        peer = group.select(variables, tried);
        if (peer == null) {
            LOG.error("no live upstreams while connecting to upstream, udp client: {}, server: {}, upstream: \"{}\"",
                    variables.remoteAddr(), variables.serverText(), group.config().name());
            end(502);
            return;
        }
        tried.add(peer);
        variables.attempt(peer.server().addressText());
        long attemptStart = System.nanoTime();
        ChannelFuture f = new Bootstrap().group(listener.channel().eventLoop()).channelFactory(Datagrams.factory(true))
                .handler(new Answers()).connect(peer.server().address());
        upstream = f.channel();
        f.addListener(done -> {
            if (ended) {
                f.channel().close();
            } else if (!done.isSuccess()) {
                variables.attemptFailed(attemptStart);
                failed("connect() failed (" + done.cause().getMessage() + ")");
            } else {
                variables.connected(attemptStart, upstreamTraffic);
                List<ByteBuf> queued = new ArrayList<>(waiting);
                waiting.clear();
                for (ByteBuf b : queued) {
                    if (ended) {
                        b.release();
                    } else {
                        toUpstream(b);
                    }
                }
            }
        });
        restartIdle();
    }

    private void toUpstream(ByteBuf datagram) {
        upstreamTraffic.add(0, datagram.readableBytes());
        Datagrams.send(upstream, datagram, null);
        restartIdle();
        finishedIfDone();
    }

    private void toClient(ByteBuf datagram) {
        variables.clientTraffic().add(0, datagram.readableBytes());
        Datagrams.send(listener.channel(), datagram, client);
    }

    /** The upstream socket's datagrams, and its errors (an ICMP port unreachable comes as one). */
    private final class Answers extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (ended) {
                return;
            }
            if (responses++ == 0) {
                group.succeeded(peer);
            }
            upstreamTraffic.add(packet.content().readableBytes(), 0);
            toClient(packet.content().retain());
            restartIdle();
            finishedIfDone();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!ended && ctx.channel() == upstream) {
                // as nginx, no next peer: the datagrams may have been taken in before the error came
                error("recv() failed (" + cause.getMessage() + ")");
                group.failed(peer, "proxying connection");
                end(502);
            }
        }
    }

    private void error(String what) {
        LOG.error("{} while proxying connection, udp client: {}, server: {}, upstream: \"{}\"",
                what, variables.remoteAddr(), variables.serverText(), peer.server().addressText());
    }

    /** The upstream socket could not be opened: the next peer, as proxy_next_upstream allows, gets the datagrams. */
    private void failed(String what) {
        error(what);
        Channel old = upstream;
        upstream = null;
        if (old != null) {
            old.close();
        }
        group.failed(peer, "proxying connection");
        int maxTries = server.nextUpstreamTries();
        if (server.nextUpstream() && tried.size() < group.peerCount()
                && (maxTries == 0 || tried.size() < maxTries)) {
            connect();
        } else {
            end(502);
        }
    }

    /** nginx's test_finalize for a datagram session. */
    private void finishedIfDone() {
        int wantRequests = server.udp().requests();
        int perRequest = server.udp().responses();
        if (upstream == null || !upstream.isActive() || wantRequests > 0 && requests < wantRequests
                || perRequest < 0 || responses < (long) perRequest * requests) {
            return;
        }
        end(200);
    }

    private void restartIdle() {
        if (idle != null) {
            idle.cancel(false);
        }
        idle = listener.channel().eventLoop().schedule(this::timedOut, server.proxyTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void timedOut() {
        if (ended) {
            return;
        }
        int perRequest = server.udp().responses();
        if (perRequest < 0 || responses >= (long) perRequest * requests) {
            end(200);
            return;
        }
        LOG.error("upstream timed out while proxying connection, udp client: {}, server: {}, upstream: \"{}\"",
                variables.remoteAddr(), variables.serverText(), peer == null ? "" : peer.server().addressText());
        end(502);
    }

    /** The listening socket closed (a reload that dropped it, or a stop). */
    void close() {
        end(200);
    }

    private void end(int status) {
        if (ended) {
            return;
        }
        ended = true;
        variables.status(status);
        listener.ended(client, this);
        if (idle != null) {
            idle.cancel(false);
        }
        variables.ended();
        releases.forEach(Runnable::run);
        releases.clear();
        first.forEach(ReferenceCountUtil::release);
        first.clear();
        waiting.forEach(ReferenceCountUtil::release);
        waiting.clear();
        if (upstream != null) {
            upstream.close();
        }
        if (!server.accessLogs().isEmpty()) {
            listener.accessLogs().log(server.accessLogs(), variables);
        }
    }
}
