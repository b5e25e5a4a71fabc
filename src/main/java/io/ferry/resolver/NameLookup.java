package io.ferry.resolver;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
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
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One name looked up as nginx's resolver does: A (and AAAA unless ipv6=off) asked of the
 * configured servers, every address kept as answered (duplicates too, each a peer), a CNAME
 * followed, the smallest TTL kept. Fails with nginx's resolver error code.
 */
final class NameLookup {
    /** A failed lookup: {@code code} and text as nginx's ngx_resolver_strerror prints them. */
    static final class Failure extends Exception {
        final int code;

        Failure(int code, String text) {
            super(code + ": " + text, null, false, false);
            this.code = code;
        }
    }

    /** What a lookup found: the addresses, A's before AAAA's, and how long they may be kept. */
    record Answer(List<InetAddress> addresses, long ttlSeconds) {
    }

    /** nginx's NGX_RESOLVE_NXDOMAIN: the name does not exist, or has no address. */
    static final int NOT_FOUND = 3;
    private static final int MAX_CNAMES = 8;

    private final DnsNameResolver dns;
    private final ResolverSettings settings;
    private final Promise<Answer> promise;
    private final List<InetAddress> v4 = new ArrayList<>();
    private final List<InetAddress> v6 = new ArrayList<>();
    private long ttl = Long.MAX_VALUE;
    private Failure failure;
    private int outstanding;

    private NameLookup(DnsNameResolver dns, ResolverSettings settings, Promise<Answer> promise) {
        this.dns = dns;
        this.settings = settings;
        this.promise = promise;
    }

    static Future<Answer> lookup(DnsNameResolver dns, EventLoop loop, ResolverSettings settings, String host) {
        Promise<Answer> promise = loop.newPromise();
        new NameLookup(dns, settings, promise).ask(host, 0);
        return promise;
    }

    private void ask(String name, int cnames) {
        if (settings.ipv4()) {
            query(name, DnsRecordType.A, cnames);
        }
        if (settings.ipv6()) {
            query(name, DnsRecordType.AAAA, cnames);
        }
    }

    private void query(String name, DnsRecordType type, int cnames) {
        outstanding++;
        dns.query(new DefaultDnsQuestion(name, type)).addListener(
                (Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> f) -> {
                    if (f.isSuccess()) {
                        AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = f.getNow();
                        try {
                            answered(name, type, envelope.content(), cnames);
                        } finally {
                            envelope.release();
                        }
                    } else {
                        fail(f.cause() instanceof DnsNameResolverTimeoutException
                                ? new Failure(110, "Operation timed out") : new Failure(2, "Server failure"));
                    }
                    if (--outstanding == 0) {
                        finish();
                    }
                });
    }

    private void answered(String name, DnsRecordType type, DnsResponse response, int cnames) {
        DnsResponseCode code = response.code();
        if (!code.equals(DnsResponseCode.NOERROR)) {
            fail(failure(code));
            return;
        }
        String wanted = name;
        List<InetAddress> into = type == DnsRecordType.A ? v4 : v6;
        boolean found = false;
        for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
            DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
            if (!(r instanceof DnsRawRecord raw) || !sameName(r.name(), wanted)) {
                continue;
            }
            if (r.type() == DnsRecordType.CNAME) {
                wanted = decodeName(raw.content());
                ttl = Math.min(ttl, r.timeToLive());
            } else if (r.type() == type) {
                ByteBuf content = raw.content();
                byte[] bytes = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), bytes);
                try {
                    into.add(InetAddress.getByAddress(name, bytes));
                    ttl = Math.min(ttl, r.timeToLive());
                    found = true;
                } catch (UnknownHostException e) {
                    fail(new Failure(1, "Format error"));
                }
            }
        }
        if (!found && !wanted.equals(name)) {
            if (cnames < MAX_CNAMES) {
                query(wanted, type, cnames + 1);
            } else {
                fail(new Failure(3, "Host not found"));
            }
        }
    }

    private void fail(Failure f) {
        if (failure == null) {
            failure = f;
        }
    }

    private void finish() {
        List<InetAddress> all = new ArrayList<>(v4);
        all.addAll(v6);
        if (!all.isEmpty()) {
            promise.trySuccess(new Answer(List.copyOf(all), ttl == Long.MAX_VALUE ? 0 : ttl));
        } else {
            promise.tryFailure(failure != null ? failure : new Failure(3, "Host not found"));
        }
    }

    static Failure failure(DnsResponseCode code) {
        if (code.equals(DnsResponseCode.FORMERR)) {
            return new Failure(1, "Format error");
        } else if (code.equals(DnsResponseCode.SERVFAIL)) {
            return new Failure(2, "Server failure");
        } else if (code.equals(DnsResponseCode.NOTIMP)) {
            return new Failure(4, "Unimplemented");
        } else if (code.equals(DnsResponseCode.REFUSED)) {
            return new Failure(5, "Operation refused");
        }
        return new Failure(3, "Host not found");
    }

    private static boolean sameName(String recordName, String name) {
        String a = recordName.endsWith(".") ? recordName.substring(0, recordName.length() - 1) : recordName;
        String b = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    /** A CNAME's target, which Netty's decoder hands over with its labels decompressed. */
    private static String decodeName(ByteBuf in) {
        StringBuilder name = new StringBuilder();
        int i = in.readerIndex();
        while (i < in.writerIndex()) {
            int len = in.getUnsignedByte(i++);
            if (len == 0 || i + len > in.writerIndex()) {
                break;
            }
            if (name.length() > 0) {
                name.append('.');
            }
            for (int j = 0; j < len; j++) {
                name.append((char) in.getUnsignedByte(i + j));
            }
            i += len;
        }
        return name.toString();
    }
}
