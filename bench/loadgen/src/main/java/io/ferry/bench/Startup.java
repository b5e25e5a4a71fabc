package io.ferry.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Process start to first served request: starts the command after {@code --}, then every 2 ms
 * tries {@code GET path} on 127.0.0.1:port until a 200 arrives; stops the process (TERM) and
 * waits for it to exit before the next repetition. Records the median.
 */
final class Startup {
    private Startup() {
    }

    static void run(Args a) throws Exception {
        int port = a.integer("port", 0);
        String path = a.str("path", "/");
        int repeat = a.integer("repeat", 3);
        String out = a.opt("out");
        String phase = a.str("phase", "-");
        String target = a.str("target", "ferry");
        String scenario = a.str("scenario", "startup");
        File log = new File(a.str("log", "/dev/null"));
        long[] times = new long[repeat];
        for (int i = 0; i < repeat; i++) {
            ProcessBuilder pb = new ProcessBuilder(a.rest()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
            long t0 = System.nanoTime();
            Process p = pb.start();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            long t1 = -1;
            while (System.nanoTime() < deadline && p.isAlive()) {
                if (ok(port, path)) {
                    t1 = System.nanoTime();
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(2);
            }
            p.destroy();
            // A JVM writing a class-data sharing archive at exit takes a few seconds.
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            if (t1 < 0) {
                throw new IllegalStateException(target + " served no 200 on port " + port + " within 30 s: " + a.rest());
            }
            times[i] = t1 - t0;
            System.err.printf(Locale.ROOT, "  start-up %-6s %.0f ms%n", target, times[i] / 1e6);
            TimeUnit.MILLISECONDS.sleep(200);
        }
        Arrays.sort(times);
        for (int i = 0; i < repeat; i++) {
            Net.record(out, phase, scenario, target, i + 1, "ms", times[i] / 1e6);
        }
    }

    private static boolean ok(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(2000);
            OutputStream o = s.getOutputStream();
            o.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[12];
            int n = 0;
            while (n < 12) {
                int r = in.read(buf, n, 12 - n);
                if (r < 0) {
                    return false;
                }
                n += r;
            }
            return new String(buf, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }
}
