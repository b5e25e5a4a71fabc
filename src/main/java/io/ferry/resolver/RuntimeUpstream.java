package io.ferry.resolver;

import io.ferry.http.Exchange;
import io.ferry.http.hook.BodySink;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamGroup;
import io.ferry.upstream.UpstreamNames;
import io.ferry.upstream.UpstreamServer;
import io.ferry.upstream.Upstreams;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The group of a {@code *_pass} with variables, found per request as nginx's
 * ngx_http_upstream_init_request does: a unix:PATH socket as it is, an upstream group of that name (or an implicit one of that
 * host and port), else the address itself, else what the location's resolver answers. A
 * resolved name gets a group of its own for this request (no keepalive, as in nginx), its
 * addresses tried in turn from a rotating start. Body bytes that arrive meanwhile are held.
 */
public final class RuntimeUpstream implements BodySink {
    private static final Duration FAIL_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger ROTATE = new AtomicInteger();

    /** The protocol's exchange on the group found; returns where the client's body goes, or null when it goes nowhere. */
    public interface Start {
        BodySink start(UpstreamGroup group);
    }

    private final Exchange ex;
    private final Start start;
    private final ArrayDeque<HttpContent> held = new ArrayDeque<>();
    private boolean aborted;

    private RuntimeUpstream(Exchange ex, Start start) {
        this.ex = ex;
        this.start = start;
    }

    public static void find(Exchange ex, Upstreams upstreams, UpstreamNames names, PassAddress pass, Start start) {
        String host = pass.host();
        int port = pass.port();
        if (host.startsWith("unix:")) {
            // a socket path needs no name lookup: nginx connects to it directly
            start.start(new UpstreamGroup(socket(host)));
            return;
        }
        Upstream named = names.find(host, port, pass.noPort());
        if (named != null) {
            start.start(upstreams.group(named));
            return;
        }
        if (port == 0) {
            log(ex, "no port in upstream \"" + host + "\"");
            ex.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !ex.requestComplete());
            return;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal);
        if (address != null) {
            start.start(new UpstreamGroup(resolved(host, port, List.of(address))));
            return;
        }
        ResolverSettings resolver = ex.settings().module(ResolverModule.SETTINGS);
        if (resolver == null) {
            log(ex, "no resolver defined to resolve " + host);
            ex.sendError(HttpResponseStatus.BAD_GATEWAY, !ex.requestComplete());
            return;
        }
        new RuntimeUpstream(ex, start).resolve(resolver, host, port);
    }

    private void resolve(ResolverSettings resolver, String host, int port) {
        ex.bodySink(this);
        ex.onAbort(() -> {
            aborted = true;
            release();
        });
        DnsResolvers.resolve(ex.channel(), resolver, host).addListener((Future<List<InetAddress>> f) -> {
            if (aborted) {
                return;
            }
            if (!f.isSuccess() || f.getNow().isEmpty()) {
                release();
                log(ex, host + " could not be resolved (" + f.cause().getMessage() + ")");
                ex.sendError(HttpResponseStatus.BAD_GATEWAY, !ex.requestComplete());
                return;
            }
            BodySink sink = start.start(new UpstreamGroup(resolved(host, port, f.getNow())));
            HttpContent c;
            while ((c = held.poll()) != null) {
                if (sink == null) {
                    c.release();
                } else {
                    sink.onBody(c);
                }
            }
        });
    }

    @Override
    public void onBody(HttpContent chunk) {
        if (aborted) {
            chunk.release();
        } else {
            held.add(chunk);
        }
    }

    private void release() {
        HttpContent c;
        while ((c = held.poll()) != null) {
            c.release();
        }
    }

    /** A group of its own for a name or address found at run time: its addresses in turn from a rotating start. */
    public static Upstream resolved(String host, int port, List<InetAddress> addresses) {
        int n = addresses.size();
        int first = Math.floorMod(ROTATE.getAndIncrement(), n);
        List<UpstreamServer> peers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            peers.add(new UpstreamServer(host, new InetSocketAddress(addresses.get((first + i) % n), port), 1, 1,
                    FAIL_TIMEOUT, 0, false, false));
        }
        return new Upstream(host, List.copyOf(peers), Upstream.Balance.ROUND_ROBIN, null, false, 0,
                Duration.ofSeconds(60), 1000, Duration.ofHours(1), null, 0);
    }

    private static Upstream socket(String address) {
        UpstreamServer peer = new UpstreamServer(address, null, 1, 1, FAIL_TIMEOUT, 0, false, false,
                address.substring("unix:".length()));
        return new Upstream(address, List.of(peer), Upstream.Balance.ROUND_ROBIN, null, false, 0,
                Duration.ofSeconds(60), 1000, Duration.ofHours(1), null, 0);
    }

    /** nginx's error_log line for a request whose upstream could not be found. */
    public static void log(Exchange ex, String what) {
        ex.errorLog().error("*{} {}, client: {}, server: {}, request: \"{} {} {}\", host: \"{}\"", ex.connection(), what,
                ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol(),
                ex.request().headers().get(HttpHeaderNames.HOST, ""));
    }
}
