package io.ferry.metrics;

import io.ferry.cache.CacheModule;
import io.ferry.http.conn.ConnectionStates;
import io.ferry.http.Exchange;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Peer;
import io.ferry.upstream.UpstreamGroup;
import io.ferry.upstream.Upstreams;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ferry's Prometheus metrics, one registry per server (so several servers in one JVM do not
 * mix). Request counts and durations are recorded as exchanges end; connection, tunnel and
 * upstream peer state is read at scrape time.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram duration;
    private final Counter reloads;
    private final Counter cacheResponses;
    private final Counter cacheSentBytes;
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();

    public Metrics(ConnectionStates states, Tunnels tunnels, Upstreams upstreams) {
        requests = Counter.builder().name("ferry_http_requests_total").help("HTTP requests by server, location and status class")
                .labelNames("server", "location", "status").register(registry);
        duration = Histogram.builder().name("ferry_http_request_duration_seconds").help("Time from request to last response byte")
                .labelNames("server").classicOnly()
                .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60).register(registry);
        cacheResponses = Counter.builder().name("ferry_cache_responses_total")
                .help("Responses the cache took part in, by keys zone and $upstream_cache_status")
                .labelNames("zone", "status").register(registry);
        cacheSentBytes = Counter.builder().name("ferry_cache_sent_bytes_total")
                .help("Body bytes sent from the cache's entries (HIT, STALE, UPDATING, REVALIDATED), by keys zone")
                .labelNames("zone").register(registry);
        reloads = Counter.builder().name("ferry_reloads_total").help("Configuration reloads by result")
                .labelNames("result").register(registry);
        GaugeWithCallback.builder().name("ferry_connections_active").help("Open client connections by state")
                .labelNames("state")
                .callback(cb -> {
                    for (ConnectionStates.State s : ConnectionStates.State.values()) {
                        cb.call(states.count(s), s.name().toLowerCase());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("ferry_connections_accepted_total").help("Client connections accepted")
                .callback(cb -> cb.call(states.accepted())).register(registry);
        GaugeWithCallback.builder().name("ferry_tunnels_active").help("Open WebSocket and stream tunnels")
                .labelNames("kind")
                .callback(cb -> {
                    for (Tunnels.Kind k : Tunnels.Kind.values()) {
                        cb.call(tunnels.count(k), k.name().toLowerCase());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("ferry_http_received_bytes_total").help("Bytes received from clients by finished exchanges")
                .callback(cb -> cb.call(bytesIn.sum())).register(registry);
        CounterWithCallback.builder().name("ferry_http_sent_bytes_total").help("Bytes sent to clients by finished exchanges")
                .callback(cb -> cb.call(bytesOut.sum())).register(registry);
        GaugeWithCallback.builder().name("ferry_upstream_peer_up").help("1 when the peer takes requests (not down, not out for failures)")
                .labelNames("upstream", "peer", "backup")
                .callback(cb -> eachPeer(upstreams, (g, p) -> cb.call(p.usable(System.nanoTime(), false) ? 1 : 0,
                        g.config().name(), p.server().addressText(), Boolean.toString(p.server().backup()))))
                .register(registry);
        GaugeWithCallback.builder().name("ferry_upstream_peer_connections").help("Open connections to the peer, tunnels included")
                .labelNames("upstream", "peer")
                .callback(cb -> eachPeer(upstreams, (g, p) -> cb.call(p.active(), g.config().name(), p.server().addressText())))
                .register(registry);
        CounterWithCallback.builder().name("ferry_upstream_peer_failures_total").help("Failed attempts counted against the peer")
                .labelNames("upstream", "peer")
                .callback(cb -> eachPeer(upstreams, (g, p) -> cb.call(p.failures(), g.config().name(), p.server().addressText())))
                .register(registry);
    }

    private interface PeerVisitor {
        void visit(UpstreamGroup group, Peer peer);
    }

    private static void eachPeer(Upstreams upstreams, PeerVisitor v) {
        for (UpstreamGroup g : upstreams.groups()) {
            for (Peer p : g.peers()) {
                v.visit(g, p);
            }
        }
    }

    public void recordExchange(Exchange ex, String location) {
        String server = ex.server() == null ? "" : ex.server().primaryName();
        int status = ex.statusCode();
        requests.labelValues(server, location, status == 0 ? "none" : (status / 100) + "xx").inc();
        duration.labelValues(server).observe(ex.durationNanos() / 1e9);
        bytesIn.add(ex.bytesReceivedCount());
        bytesOut.add(ex.bytesSentCount());
        CacheModule.Outcome cache = CacheModule.outcome(ex);
        if (cache != null) {
            cacheResponses.labelValues(cache.zone(), cache.status()).inc();
            if (cache.servedFromCache()) {
                cacheSentBytes.labelValues(cache.zone()).inc(Long.parseLong(ex.bodyBytesSent()));
            }
        }
    }

    public void reloaded(boolean success) {
        reloads.labelValues(success ? "success" : "failure").inc();
    }

    /** The Prometheus text exposition of everything above. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
