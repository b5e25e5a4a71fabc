package io.ferry.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk bytes through a TCP tunnel: {@code conns} connections to the target, whose backend (the TCP
 * source) writes as fast as they read; MB/s counted on the reading side over {@code duration}.
 */
final class Bulk {
    private Bulk() {
    }

    static void run(Args a) throws Exception {
        Map<String, String> targets = a.pairs("targets");
        int conns = a.integer("conns", 4);
        int rounds = a.integer("rounds", 3);
        double duration = a.dbl("duration", 5);
        double warmup = a.dbl("warmup", 1);
        String out = a.opt("out");
        String phase = a.str("phase", "-");
        String scenario = a.str("scenario", "stream");
        EventLoopGroup group = Net.group(a.integer("threads", 1));
        Map<String, String> cpu = a.opt("cpu") == null ? Map.of() : a.pairs("cpu");
        int clk = a.integer("clk", 100);
        try {
            if (warmup > 0) {
                for (Map.Entry<String, String> t : targets.entrySet()) {
                    double mbps = once(group, t.getValue(), conns, warmup);
                    System.err.printf(Locale.ROOT, "  warm-up %-6s %.1f MB/s%n", t.getKey(), mbps);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                for (Map.Entry<String, String> t : targets.entrySet()) {
                    long cpu0 = Net.cpuTicks(cpu.get(t.getKey()));
                    double mbps = once(group, t.getValue(), conns, duration);
                    long cpu1 = Net.cpuTicks(cpu.get(t.getKey()));
                    System.err.printf(Locale.ROOT, "  round %d %-6s %.1f MB/s%n", round, t.getKey(), mbps);
                    Net.record(out, phase, scenario, t.getKey(), round, "mbps", mbps);
                    if (!cpu.getOrDefault(t.getKey(), "").isBlank() && mbps > 0) {
                        // CPU over the whole run (connect and ramp included) per MB counted in the window: an upper bound.
                        Net.record(out, phase, scenario, t.getKey(), round, "cpu_us", (cpu1 - cpu0) * 1e6 / clk / (mbps * duration));
                    }
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    static double once(EventLoopGroup group, String hostPort, int conns, double seconds) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        AtomicLong bytes = new AtomicLong();
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            channels.add(new Bootstrap().group(group).channel(Net.socket())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            bytes.addAndGet(((ByteBuf) msg).readableBytes());
                            ReferenceCountUtil.release(msg);
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            ctx.close();
                        }
                    })
                    .connect(host, port).sync().channel());
        }
        TimeUnit.MILLISECONDS.sleep(300);
        long b0 = bytes.get();
        long t0 = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep((long) (seconds * 1000));
        long b1 = bytes.get();
        long t1 = System.nanoTime();
        for (Channel ch : channels) {
            ch.close().sync();
        }
        return (b1 - b0) / 1e6 / ((t1 - t0) / 1e9);
    }
}
