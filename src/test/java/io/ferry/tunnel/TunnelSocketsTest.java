package io.ferry.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Tunnel} between two accepted sockets on 127.0.0.1 (NIO, half-closure allowed, as stream
 * sessions run): exact bytes both ways, a half-close passed on while the other direction keeps
 * going, and the idle timeout.
 */
@Timeout(60)
class TunnelSocketsTest {
    private EventLoopGroup group;
    private Channel server;
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private final AtomicInteger closes = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    @BeforeEach
    void listen() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private Socket connect() throws Exception {
        Socket s = new Socket();
        s.connect(server.localAddress(), 10_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private Channel take() throws Exception {
        Channel ch = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(ch).as("accepted connection").isNotNull();
        return ch;
    }

    /** Installs and starts the tunnel on its event loop, as Ferry does. */
    private void tunnel(Channel a, Channel b, Duration idle) throws Exception {
        tunnel(a, b, idle, null);
    }

    private void tunnel(Channel a, Channel b, Duration idle, Duration sendToA) throws Exception {
        a.eventLoop().submit(() -> {
            Tunnel t = Tunnel.install(a, b, idle, () -> {
                closes.incrementAndGet();
                closed.countDown();
            });
            if (sendToA != null) {
                t.sendTimeoutToFirst(sendToA);
            }
            t.start();
        }).sync();
    }

    /** Writes to {@code s} until it fails (the tunnel closed) or {@code stop} is set. */
    private static CompletableFuture<Void> flood(Socket s, java.util.concurrent.atomic.AtomicBoolean stop) {
        return CompletableFuture.runAsync(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                OutputStream out = s.getOutputStream();
                while (!stop.get()) {
                    out.write(chunk);
                }
            } catch (Exception e) {
                // the tunnel closed
            }
        });
    }

    /** send_timeout on a tunnel: a client that takes nothing for that long while bytes wait for it is cut off. */
    @Test
    void aSideThatTakesNothingForTheSendTimeoutEndsTheTunnel() throws Exception {
        Socket x = connect();
        Channel a = take();
        Socket y = connect();
        Channel b = take();
        tunnel(a, b, Duration.ofMinutes(1), Duration.ofMillis(500));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        flood(y, stop);
        assertThat(closed.await(15, TimeUnit.SECONDS)).as("closed long before the idle timeout").isTrue();
        stop.set(true);
        x.close();
        y.close();
    }

    /** A slow client that keeps taking bytes is not cut off, however long the transfer. */
    @Test
    void aSideThatKeepsTakingBytesIsNotCutOffBySendTimeout() throws Exception {
        // Small socket buffers, so that what the reader takes frees room (and wakes the writer) soon:
        // with the kernel's autotuned megabytes, a writer waits for half of them to drain.
        Socket x = new Socket();
        x.setReceiveBufferSize(32 * 1024);
        x.connect(server.localAddress(), 10_000);
        x.setSoTimeout(10_000);
        Channel a = take();
        a.config().setOption(ChannelOption.SO_SNDBUF, 32 * 1024);
        Socket y = connect();
        Channel b = take();
        long sendMillis = 1_000;
        tunnel(a, b, Duration.ofMinutes(1), Duration.ofMillis(sendMillis));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        flood(y, stop);
        InputStream xIn = x.getInputStream();
        // ten reads per send timeout
        byte[] some = new byte[32 * 1024];
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5 * sendMillis);
        while (System.nanoTime() < until) {
            assertThat(xIn.readNBytes(some, 0, some.length)).isEqualTo(some.length);
            Thread.sleep(sendMillis / 10);
        }
        assertThat(closes).as("open while the client reads, slowly").hasValue(0);
        stop.set(true);
        x.close();
        y.close();
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void bytesGoThroughExactlyAndAHalfCloseIsPassedOnWhileTheOtherDirectionGoesOn() throws Exception {
        Socket x = connect();
        Channel a = take();
        Socket y = connect();
        Channel b = take();
        tunnel(a, b, Duration.ofMinutes(1));

        byte[] up = new byte[1 << 20];
        byte[] down = new byte[300_000];
        Random random = new Random(19);
        random.nextBytes(up);
        random.nextBytes(down);
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = x.getOutputStream();
                out.write(up);
                x.shutdownOutput();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        InputStream yIn = y.getInputStream();
        assertThat(yIn.readAllBytes()).as("what x sent, then x's end of stream").isEqualTo(up);
        sent.get(10, TimeUnit.SECONDS);
        assertThat(closes).as("one direction still open").hasValue(0);

        y.getOutputStream().write(down);
        y.shutdownOutput();
        assertThat(x.getInputStream().readAllBytes()).isEqualTo(down);

        assertThat(closed.await(10, TimeUnit.SECONDS)).as("closed once both directions ended").isTrue();
        assertThat(a.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(b.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(closes).hasValue(1);
        x.close();
        y.close();
    }

    @Test
    void theIdleTimeoutClosesBothSidesOnlyAfterNothingMovedForThatLong() throws Exception {
        Socket x = connect();
        Channel a = take();
        Socket y = connect();
        Channel b = take();
        long idleMillis = 1_500;
        long start = System.nanoTime();
        tunnel(a, b, Duration.ofMillis(idleMillis));

        // Traffic for twice the idle time keeps the tunnel open; sleeps only pace the bytes.
        OutputStream out = x.getOutputStream();
        InputStream yIn = y.getInputStream();
        long busyUntil = start + TimeUnit.MILLISECONDS.toNanos(2 * idleMillis);
        int sent = 0;
        while (System.nanoTime() < busyUntil) {
            out.write('.');
            out.flush();
            assertThat(yIn.read()).isEqualTo('.');
            sent++;
            Thread.sleep(100);
        }
        assertThat(closes).as("open after %d bytes over %d ms", sent, 2 * idleMillis).hasValue(0);
        long quietSince = System.nanoTime();

        assertThat(closed.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quietSince)).isGreaterThanOrEqualTo(idleMillis - 150);
        assertThat(x.getInputStream().read()).as("x sees the close").isEqualTo(-1);
        assertThat(yIn.read()).as("y sees the close").isEqualTo(-1);
        x.close();
        y.close();
    }

    /** A closed tunnel is garbage at once: a pending idle timer would hold it, and both channels, for the whole timeout. */
    @Test
    void aClosedTunnelLeavesNoTimerHoldingItsChannels() throws Exception {
        Socket x = connect();
        Channel a = take();
        Socket y = connect();
        Channel b = take();
        tunnel(a, b, Duration.ofMinutes(10));
        WeakReference<Channel> client = new WeakReference<>(a);
        x.close();
        y.close();
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("the tunnel closed").isTrue();
        assertThat(a.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(b.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        a = null;
        b = null;
        for (int i = 0; i < 100 && client.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(client.get()).as("the client's channel, once its tunnel closed").isNull();
    }
}
