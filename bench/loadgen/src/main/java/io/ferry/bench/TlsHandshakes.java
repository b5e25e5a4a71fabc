package io.ferry.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TLS handshakes per second, closed loop: {@code conns} slots, each connecting, handshaking, sending
 * one {@code GET path} with {@code Connection: close}, reading the answer to the proxy's close and
 * connecting again. With {@code --resume} a slot offers the session of its previous connection
 * (the proxy's TLS 1.3 session ticket, from BoringSSL's client session cache keyed by host and
 * port), otherwise every handshake is a full one. Each round prints the share of handshakes the
 * proxy really resumed, which is what bench/run asks it before the handshake rows, and the
 * client's own CPU per handshake beside the proxy's ({@code --cpu}).
 */
final class TlsHandshakes {
    private TlsHandshakes() {
    }

    /** Handshakes done, those resumed, and failures, counted by every slot. */
    private static final class Counts {
        final AtomicLong done = new AtomicLong();
        final AtomicLong resumed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
    }

    static void run(Args a) throws Exception {
        Map<String, String> targets = a.pairs("targets");
        int conns = a.integer("conns", 50);
        int rounds = a.integer("rounds", 3);
        double duration = a.dbl("duration", 5);
        double warmup = a.dbl("warmup", 1);
        String out = a.opt("out");
        String phase = a.str("phase", "-");
        String path = a.str("path", "/hs");
        boolean resume = a.opt("resume") != null && !a.opt("resume").equals("0");
        String scenario = a.str("scenario", resume ? "resumed" : "handshake");
        Map<String, String> cpu = a.opt("cpu") == null ? Map.of() : a.pairs("cpu");
        int clk = a.integer("clk", 100);
        if (!OpenSsl.isAvailable()) {
            throw new IllegalStateException("BoringSSL (netty-tcnative) does not load", OpenSsl.unavailabilityCause());
        }
        SslContext ssl = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        EventLoopGroup group = Net.group(a.integer("threads", 1));
        try {
            if (warmup > 0) {
                for (Map.Entry<String, String> t : targets.entrySet()) {
                    once(group, ssl, t.getValue(), path, conns, warmup, resume);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                for (Map.Entry<String, String> t : targets.entrySet()) {
                    long cpu0 = Net.cpuTicks(cpu.get(t.getKey()));
                    long own0 = ownCpuNanos();
                    Counts c = once(group, ssl, t.getValue(), path, conns, duration, resume);
                    long cpu1 = Net.cpuTicks(cpu.get(t.getKey()));
                    long own1 = ownCpuNanos();
                    long n = c.done.get();
                    double perSecond = n / duration;
                    String proxyCpu = "";
                    if (!cpu.getOrDefault(t.getKey(), "").isBlank() && n > 0) {
                        double us = (cpu1 - cpu0) * 1e6 / clk / n;
                        Net.record(out, phase, scenario, t.getKey(), round, "cpu_us", us);
                        proxyCpu = String.format(Locale.ROOT, ", proxy CPU %.0f µs", us);
                    }
                    Net.record(out, phase, scenario, t.getKey(), round, "rps", perSecond);
                    if (c.failed.get() > 0) {
                        Net.record(out, phase, scenario, t.getKey(), round, "errors", c.failed.get());
                    }
                    System.err.printf(Locale.ROOT, "  round %d %-6s %.0f handshakes/s, %.0f%% resumed%s, client CPU %.0f µs / handshake%s%n",
                            round, t.getKey(), perSecond, n == 0 ? 0 : 100.0 * c.resumed.get() / n, proxyCpu,
                            n == 0 ? 0 : (own1 - own0) / 1e3 / n, c.failed.get() > 0 ? ", " + c.failed.get() + " failed" : "");
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Runs the slots for 300 ms unrecorded, then counts the handshakes completed over {@code seconds}. */
    static Counts once(EventLoopGroup group, SslContext ssl, String hostPort, String path, int conns, double seconds,
                       boolean resume) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Counts counts = new Counts();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        Bootstrap b = new Bootstrap().group(group).channel(Net.socket()).option(ChannelOption.TCP_NODELAY, true);
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (!running.get()) {
                return;
            }
            b.clone().handler(new ChannelInboundHandlerAdapter() {
                boolean ok;
                boolean reused;

                @Override
                public void handlerAdded(ChannelHandlerContext ctx) {
                    // Host and port name the session to offer; without them the engine never resumes.
                    SslHandler h = resume ? ssl.newHandler(ctx.alloc(), host, port) : ssl.newHandler(ctx.alloc());
                    ctx.pipeline().addBefore(ctx.name(), "ssl", h);
                }

                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt instanceof SslHandshakeCompletionEvent hs) {
                        if (!hs.isSuccess()) {
                            ctx.close();
                            return;
                        }
                        reused = reused(ctx.pipeline().get(SslHandler.class));
                        ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
                    }
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (!ok && msg instanceof ByteBuf buf && buf.readableBytes() >= 12) {
                        ok = buf.toString(buf.readerIndex(), 12, StandardCharsets.US_ASCII).equals("HTTP/1.1 200");
                    }
                    ReferenceCountUtil.release(msg);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    if (counting.get()) {
                        if (ok) {
                            counts.done.incrementAndGet();
                            if (reused) {
                                counts.resumed.incrementAndGet();
                            }
                        } else {
                            counts.failed.incrementAndGet();
                        }
                    }
                    ctx.channel().eventLoop().execute(next[0]);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                }
            }).connect(host, port).addListener(f -> {
                if (!f.isSuccess()) {
                    if (counting.get()) {
                        counts.failed.incrementAndGet();
                    }
                    group.schedule(next[0], 10, TimeUnit.MILLISECONDS);
                }
            });
        };
        for (int i = 0; i < conns; i++) {
            group.execute(next[0]);
        }
        TimeUnit.MILLISECONDS.sleep(300);
        counting.set(true);
        TimeUnit.MILLISECONDS.sleep((long) (seconds * 1000));
        counting.set(false);
        running.set(false);
        TimeUnit.MILLISECONDS.sleep(200);
        return counts;
    }

    /** Netty keeps the engine's "session reused" to itself (package-private): read it anyway, it is what says a ticket worked. */
    private static final Method SESSION_REUSED;

    static {
        try {
            SESSION_REUSED = ReferenceCountedOpenSslEngine.class.getDeclaredMethod("isSessionReused");
            SESSION_REUSED.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static boolean reused(SslHandler h) {
        try {
            return (Boolean) SESSION_REUSED.invoke(h.engine());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** CPU time of this whole process (every thread), so the client's own cost can be put beside the proxy's. */
    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
