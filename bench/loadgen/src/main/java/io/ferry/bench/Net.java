package io.ferry.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/** Transport choice (epoll when it loads) and the result file every tool appends to. */
final class Net {
    private Net() {
    }

    static EventLoopGroup group(int threads) {
        return new MultiThreadIoEventLoopGroup(threads,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    static Class<? extends SocketChannel> socket() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    static Class<? extends ServerChannel> server() {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Appends one result line: phase, scenario, target, round, metric, value (tab separated). */
    static void record(String file, String phase, String scenario, String target, int round, String metric, double value) {
        String line = String.join("\t", phase, scenario, target, Integer.toString(round), metric,
                String.format(Locale.ROOT, "%.3f", value));
        if (file == null) {
            System.out.println(line);
            return;
        }
        try (PrintStream out = new PrintStream(new FileOutputStream(file, true), true)) {
            out.println(line);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** utime + stime, in clock ticks, of the processes named "pid+pid+..." (0 for null or unreadable ones). */
    static long cpuTicks(String pids) {
        if (pids == null || pids.isBlank()) {
            return 0;
        }
        long total = 0;
        for (String pid : pids.split("\\+")) {
            if (pid.isBlank()) {
                continue;
            }
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid.trim(), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
                total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // the process is gone or not on Linux: count nothing
            }
        }
        return total;
    }

    /** Percentile (0..100) of the first {@code n} values, nearest-rank. */
    static long percentile(long[] values, int n, double p) {
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, rank))];
    }
}
