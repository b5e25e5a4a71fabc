package io.ferry.resolver;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small DNS server on UDP for tests, on Netty's DNS codec: answers A and AAAA questions from
 * its table (every address as one record, with the given TTL), NXDOMAIN for names it does not
 * know, SERVFAIL or silence for names set up so, and counts the questions it got.
 */
final class TestDnsServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, List<String>> table = new ConcurrentHashMap<>();
    private final Map<String, Integer> ttls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final Channel channel;

    TestDnsServer() throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery q) {
                                        answer(ctx, q);
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** {@code addresses}: IPv4 and IPv6 literals; "SERVFAIL" or "SILENT" alone make the server fail or keep still. */
    TestDnsServer add(String name, int ttl, String... addresses) {
        table.put(name, List.of(addresses));
        ttls.put(name, ttl);
        return this;
    }

    /** How many questions of {@code type} ("A" or "AAAA") about {@code name} arrived. */
    int asked(String name, String type) {
        AtomicInteger n = asked.get(name + " " + type);
        return n == null ? 0 : n.get();
    }

    private void answer(ChannelHandlerContext ctx, DatagramDnsQuery q) {
        DnsQuestion question = q.recordAt(DnsSection.QUESTION);
        String name = question.name().endsWith(".") ? question.name().substring(0, question.name().length() - 1) : question.name();
        asked.computeIfAbsent(name + " " + question.type().name(), k -> new AtomicInteger()).incrementAndGet();
        List<String> addresses = table.get(name);
        if (addresses != null && addresses.equals(List.of("SILENT"))) {
            return;
        }
        DatagramDnsResponse r = new DatagramDnsResponse(q.recipient(), q.sender(), q.id());
        r.setRecursionAvailable(true);
        r.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
        if (addresses == null) {
            r.setCode(DnsResponseCode.NXDOMAIN);
        } else if (addresses.equals(List.of("SERVFAIL"))) {
            r.setCode(DnsResponseCode.SERVFAIL);
        } else {
            for (String a : addresses) {
                byte[] bytes = address(a);
                DnsRecordType type = bytes.length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
                if (type.equals(question.type())) {
                    r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), type, ttls.get(name),
                            Unpooled.wrappedBuffer(bytes)));
                }
            }
        }
        ctx.writeAndFlush(r);
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
