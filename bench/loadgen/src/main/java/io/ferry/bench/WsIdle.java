package io.ferry.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens {@code count} WebSocket connections (at most {@code concurrency} handshakes in flight) and
 * holds them open, idle, until the process is stopped. Writes "open=N failed=M" to {@code ready}
 * once every attempt finished, and a fresh "open=N closed=M" line to {@code status} every second.
 */
final class WsIdle {
    private WsIdle() {
    }

    static void run(Args a) throws Exception {
        URI uri = URI.create(a.str("url", null));
        int count = a.integer("count", 10_000);
        int concurrency = a.integer("concurrency", 64);
        Path ready = Path.of(a.str("ready", "idle.ready"));
        Path status = Path.of(a.str("status", "idle.status"));
        EventLoopGroup group = Net.group(a.integer("threads", 1));
        Semaphore window = new Semaphore(concurrency);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        List<Channel> channels = new ArrayList<>(count);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            window.acquire();
            Promise<Channel> p = GlobalEventExecutor.INSTANCE.newPromise();
            p.addListener(f -> {
                if (f.isSuccess()) {
                    open.incrementAndGet();
                    Channel ch = p.getNow();
                    ch.closeFuture().addListener(c -> closed.incrementAndGet());
                    synchronized (channels) {
                        channels.add(ch);
                    }
                } else {
                    failed.incrementAndGet();
                }
                window.release();
            });
            WsConn.open(group, uri, p, (c, frame) -> { });
        }
        window.acquire(concurrency);
        double secs = (System.nanoTime() - t0) / 1e9;
        String line = "open=" + open.get() + " failed=" + failed.get() + " seconds=" + String.format("%.1f", secs);
        System.err.println("  idle: " + line);
        Files.writeString(ready, line + "\n");
        while (true) {
            Files.writeString(status, "open=" + (open.get() - closed.get()) + " closed=" + closed.get() + "\n");
            TimeUnit.SECONDS.sleep(1);
        }
    }
}
