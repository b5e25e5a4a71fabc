package io.ferry.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket echo, closed loop: each of {@code conns} connections sends one masked binary message of
 * {@code size} bytes, waits for its echo, and sends the next. Targets are measured in alternating
 * rounds (every target once per round) after one unrecorded warm-up run per target.
 */
final class WsBench {
    private WsBench() {
    }

    static void run(Args a) throws Exception {
        Map<String, String> targets = a.pairs("targets");
        int conns = a.integer("conns", 50);
        int size = a.integer("size", 64);
        int rounds = a.integer("rounds", 3);
        double duration = a.dbl("duration", 5);
        double warmup = a.dbl("warmup", 2);
        String out = a.opt("out");
        String phase = a.str("phase", "-");
        String scenario = a.str("scenario", "ws" + size);
        EventLoopGroup group = Net.group(a.integer("threads", 1));
        Map<String, String> cpu = a.opt("cpu") == null ? Map.of() : a.pairs("cpu");
        int clk = a.integer("clk", 100);
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeBytes(bytes));
        try {
            if (warmup > 0) {
                for (Map.Entry<String, String> t : targets.entrySet()) {
                    Result r = once(group, URI.create(t.getValue()), conns, payload, warmup);
                    System.err.printf(Locale.ROOT, "  warm-up %-6s %s%n", t.getKey(), r);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                for (Map.Entry<String, String> t : targets.entrySet()) {
                    long cpu0 = Net.cpuTicks(cpu.get(t.getKey()));
                    Result r = once(group, URI.create(t.getValue()), conns, payload, duration);
                    long cpu1 = Net.cpuTicks(cpu.get(t.getKey()));
                    System.err.printf(Locale.ROOT, "  round %d %-6s %s%n", round, t.getKey(), r);
                    if (!cpu.getOrDefault(t.getKey(), "").isBlank() && r.rate > 0) {
                        Net.record(out, phase, scenario, t.getKey(), round, "cpu_us",
                                (cpu1 - cpu0) * 1e6 / clk / (r.rate * duration));
                    }
                    Net.record(out, phase, scenario, t.getKey(), round, "msgs", r.rate);
                    Net.record(out, phase, scenario, t.getKey(), round, "p50_ms", r.p50 / 1e6);
                    Net.record(out, phase, scenario, t.getKey(), round, "p99_ms", r.p99 / 1e6);
                    if (r.errors > 0) {
                        Net.record(out, phase, scenario, t.getKey(), round, "errors", r.errors);
                    }
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    record Result(double rate, long p50, long p99, long errors) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.0f msg/s p50 %.3f ms p99 %.3f ms%s", rate, p50 / 1e6, p99 / 1e6,
                    errors > 0 ? " errors " + errors : "");
        }
    }

    /** Per connection state; touched only by the connection's event loop until the run is over. */
    private static final class Loop {
        final ByteBuf payload;
        long sentAt;
        long[] rtts = new long[4096];
        int n;
        long errors;
        long end;
        boolean stopped;

        Loop(ByteBuf payload) {
            this.payload = payload;
        }

        void send(Channel ch) {
            sentAt = System.nanoTime();
            ch.writeAndFlush(new BinaryWebSocketFrame(payload.duplicate()));
        }

        void onEcho(Channel ch, WebSocketFrame frame, CountDownLatch done) {
            if (stopped || !(frame instanceof BinaryWebSocketFrame)) {
                return;
            }
            long now = System.nanoTime();
            if (frame.content().readableBytes() != payload.readableBytes()) {
                errors++;
            }
            if (now <= end) {
                if (n == rtts.length) {
                    rtts = Arrays.copyOf(rtts, n * 2);
                }
                rtts[n++] = now - sentAt;
                send(ch);
            } else {
                stopped = true;
                done.countDown();
            }
        }
    }

    static Result once(EventLoopGroup group, URI uri, int conns, ByteBuf payload, double seconds) throws Exception {
        List<Loop> loops = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        List<Promise<Channel>> readies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(conns);
        for (int i = 0; i < conns; i++) {
            Loop loop = new Loop(payload);
            Promise<Channel> ready = GlobalEventExecutor.INSTANCE.newPromise();
            WsConn.open(group, uri, ready, (c, f) -> loop.onEcho(c.channel, f, done));
            loops.add(loop);
            readies.add(ready);
        }
        long failed = 0;
        for (Promise<Channel> p : readies) {
            if (p.await(15, TimeUnit.SECONDS) && p.isSuccess()) {
                channels.add(p.getNow());
            } else {
                failed++;
            }
        }
        if (failed > 0) {
            channels.forEach(Channel::close);
            throw new IllegalStateException(failed + " of " + conns + " WebSocket handshakes to " + uri + " failed");
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        for (int i = 0; i < conns; i++) {
            Loop loop = loops.get(i);
            Channel ch = channels.get(i);
            ch.eventLoop().execute(() -> {
                loop.end = end;
                loop.send(ch);
            });
        }
        boolean all = done.await((long) (seconds * 1000) + 10_000, TimeUnit.MILLISECONDS);
        AtomicLong errors = new AtomicLong(all ? 0 : conns - done.getCount());
        for (Channel ch : channels) {
            ch.writeAndFlush(new CloseWebSocketFrame()).addListener(f -> ch.close());
        }
        for (Channel ch : channels) {
            ch.closeFuture().await(2, TimeUnit.SECONDS);
        }
        int total = 0;
        for (Loop l : loops) {
            total += l.n;
            errors.addAndGet(l.errors);
        }
        long[] all2 = new long[total];
        int at = 0;
        for (Loop l : loops) {
            System.arraycopy(l.rtts, 0, all2, at, l.n);
            at += l.n;
        }
        Arrays.sort(all2);
        return new Result(total / seconds, Net.percentile(all2, total, 50), Net.percentile(all2, total, 99), errors.get());
    }
}
