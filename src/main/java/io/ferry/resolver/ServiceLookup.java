package io.ferry.resolver;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SRV name looked up as nginx's resolver does for `server NAME service=... resolve`: the SRV
 * records, then every target's addresses; a target that does not exist is logged and left out.
 * Unlike nginx, a target the servers did not answer for (timeout, SERVFAIL) fails the whole lookup,
 * so the peers stay as they were rather than leave for a passing DNS fault.
 */
final class ServiceLookup {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    /** One address of one SRV record. */
    record Target(String name, InetSocketAddress address, int priority, int weight) {
    }

    /** What the lookup found and how long it may be kept (the smallest TTL of the records used). */
    record Answer(List<Target> targets, long ttlSeconds) {
    }

    private record Srv(String name, int port, int priority, int weight) {
    }

    private ServiceLookup() {
    }

    /** {@code shown}: "SERVICE of HOST", as nginx's log lines name the lookup. */
    static Future<Answer> lookup(DnsNameResolver dns, EventLoop loop, ResolverSettings settings, String name,
            String shown) {
        Promise<Answer> promise = loop.newPromise();
        dns.query(new DefaultDnsQuestion(name, DnsRecordType.SRV)).addListener(
                (Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> f) -> {
                    if (!f.isSuccess()) {
                        promise.setFailure(f.cause() instanceof DnsNameResolverTimeoutException
                                ? new NameLookup.Failure(110, "Operation timed out")
                                : new NameLookup.Failure(2, "Server failure"));
                        return;
                    }
                    List<Srv> records = new ArrayList<>();
                    long ttl;
                    AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = f.getNow();
                    try {
                        DnsResponse response = envelope.content();
                        if (!response.code().equals(DnsResponseCode.NOERROR)) {
                            promise.setFailure(NameLookup.failure(response.code()));
                            return;
                        }
                        ttl = records(response, records);
                    } finally {
                        envelope.release();
                    }
                    if (records.isEmpty()) {
                        promise.setFailure(new NameLookup.Failure(3, "Host not found"));
                        return;
                    }
                    targets(dns, loop, settings, records, ttl, shown, promise);
                });
        return promise;
    }

    private static long records(DnsResponse response, List<Srv> into) {
        long ttl = Long.MAX_VALUE;
        for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
            DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
            if (r.type() != DnsRecordType.SRV || !(r instanceof DnsRawRecord raw) || raw.content().readableBytes() < 7) {
                continue;
            }
            ByteBuf in = raw.content().duplicate();
            int priority = in.readUnsignedShort();
            int weight = in.readUnsignedShort();
            int port = in.readUnsignedShort();
            String target;
            try {
                // the record's buffer is the whole message, so a compressed target's pointers resolve
                target = DefaultDnsRecordDecoder.decodeName(in);
            } catch (CorruptedFrameException e) {
                continue;
            }
            if (target.endsWith(".")) {
                target = target.substring(0, target.length() - 1);
            }
            if (target.isEmpty()) {
                continue; // "." says the service is not offered here (RFC 2782)
            }
            into.add(new Srv(target, port, priority, weight));
            ttl = Math.min(ttl, r.timeToLive());
        }
        return ttl;
    }

    private static void targets(DnsNameResolver dns, EventLoop loop, ResolverSettings settings, List<Srv> records,
            long srvTtl, String shown, Promise<Answer> promise) {
        List<List<Target>> found = new ArrayList<>();
        long[] ttl = {srvTtl};
        int[] outstanding = {records.size()};
        Throwable[] unanswered = {null};
        for (Srv srv : records) {
            List<Target> mine = new ArrayList<>();
            found.add(mine);
            NameLookup.lookup(dns, loop, settings, srv.name()).addListener((Future<NameLookup.Answer> f) -> {
                if (f.isSuccess()) {
                    for (InetAddress a : f.getNow().addresses()) {
                        mine.add(new Target(srv.name(), new InetSocketAddress(a, srv.port()), srv.priority(), srv.weight()));
                    }
                    ttl[0] = Math.min(ttl[0], f.getNow().ttlSeconds());
                } else {
                    LOG.error("{} could not be resolved ({}) while resolving service {}", srv.name(),
                            f.cause().getMessage(), shown);
                    if (!(f.cause() instanceof NameLookup.Failure failure) || failure.code != NameLookup.NOT_FOUND) {
                        unanswered[0] = f.cause();
                    }
                }
                if (--outstanding[0] == 0) {
                    if (unanswered[0] != null) {
                        // a target the servers did not answer for may still exist: its peers stay until they do
                        promise.setFailure(unanswered[0]);
                        return;
                    }
                    List<Target> all = new ArrayList<>();
                    found.forEach(all::addAll);
                    promise.setSuccess(new Answer(List.copyOf(all), ttl[0] == Long.MAX_VALUE ? 0 : ttl[0]));
                }
            });
        }
    }
}
