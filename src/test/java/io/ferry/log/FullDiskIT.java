package io.ferry.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import io.ferry.testing.LogFiles;
import io.ferry.testing.RawHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the access log and the temporary files (a 256 KiB tmpfs, filled by the test):
 * requests go on being served, the access log's failure is logged once, a request body that must
 * go to disk gets nginx's 500, a response that outgrows its memory buffers still arrives whole, and
 * once space returns the access log takes the next request's line.
 */
@Timeout(120)
class FullDiskIT {
    private static final int BIG = 2 << 20;
    private static final int BODY = 64 << 10;

    @TempDir
    Path prefix;

    @Test
    void aFullDiskNeverStopsProxyingAndLoggingResumesWhenSpaceReturns() throws Exception {
        Path disk = Files.createDirectories(prefix.resolve("disk"));
        mount(disk);
        try (ErrorLogLines errors = ErrorLogLines.capture(); HttpEchoBackend echo = HttpEchoBackend.start()) {
            byte[] big = new byte[BIG];
            new Random(18).nextBytes(big);
            Files.createDirectories(prefix.resolve("html"));
            Files.write(prefix.resolve("html/big"), big);
            int port = FerryInstance.freePort();
            int files = FerryInstance.freePort();
            try (FerryInstance ferry = FerryInstance.start(prefix, """
                    http {
                        access_log %1$s/access.log;
                        client_body_temp_path %1$s/body;
                        client_body_buffer_size 8k;
                        proxy_temp_path %1$s/proxy;
                        proxy_buffers 4 8k;
                        proxy_buffer_size 8k;
                        proxy_busy_buffers_size 16k;
                        server {
                            listen 127.0.0.1:%2$d;
                            location /echo { proxy_pass http://127.0.0.1:%3$d; }
                            location /big { proxy_pass http://127.0.0.1:%4$d; }
                            location /small { return 200 "small\\n"; }
                        }
                        server { listen 127.0.0.1:%4$d; access_log off; root %5$s/html; }
                    }
                    """.formatted(disk, port, echo.port(), files, prefix))) {
                Path accessLog = disk.resolve("access.log");
                assertThat(RawHttpClient.getOnce(port, "/small?before").status()).isEqualTo(200);
                assertThat(LogFiles.awaitLines(accessLog, 1).get(0)).contains("/small?before");

                long filled = fill(disk.resolve("filler"));
                // the log's last page may still take a few lines: requests go on until the first write fails
                String failure = "write() to \"" + accessLog + "\"";
                int served = 0;
                while (errors.count(failure) == 0 && served < 500) {
                    assertThat(RawHttpClient.getOnce(port, "/small?filling" + served++).text()).isEqualTo("small\n");
                }
                for (int i = 0; i < 5; i++) {
                    assertThat(RawHttpClient.getOnce(port, "/small?full" + i).text()).isEqualTo("small\n");
                }
                assertThat(errors.lines()).filteredOn(l -> l.contains(failure))
                        .as("the access log's failure after %d lines (%d bytes filled the disk), reported once", served, filled)
                        .singleElement().satisfies(l -> assertThat(l).matches(
                                ".*(failed \\(28: No space left on device\\)|was incomplete: \\d+ of \\d+)"));
                assertThat(LogFiles.lines(accessLog)).noneMatch(l -> l.contains("/small?full"));

                assertThat(post(port).status()).as("a body that must go to a full disk").isEqualTo(500);
                assertThat(errors.count("cannot write client request body to a temporary file")).isEqualTo(1);

                assertThat(sha256(slowGet(port, "/big"))).as("a response that overflows its buffers onto a full disk")
                        .isEqualTo(sha256(big));
                assertThat(errors.count("failed (28: No space left on device) while reading upstream")).isEqualTo(1);
                assertThat(RawHttpClient.getOnce(port, "/small?still").status()).isEqualTo(200);

                Files.delete(disk.resolve("filler"));
                // nginx drops a log's lines for the rest of the second in which it found the disk full
                Thread.sleep(1100);
                assertThat(RawHttpClient.getOnce(port, "/small?resumed").status()).isEqualTo(200);
                assertThat(awaitLast(accessLog)).as("the access log once space returned").contains("/small?resumed");
                RawHttpClient.Response echoed = post(port);
                assertThat(echoed.status()).isEqualTo(200);
                assertThat(echoed.text()).contains("length=" + BODY);
                assertThat(temporaryFiles(disk)).as("temporary files left on the disk").isZero();
            }
        } finally {
            unmount(disk);
        }
    }

    /** The log's last line once it names the request sent last. */
    private static String awaitLast(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> lines = LogFiles.lines(log);
            String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
            if (last.contains("/small?resumed") || System.nanoTime() > deadline) {
                return last;
            }
            Thread.sleep(20);
        }
    }

    private static RawHttpClient.Response post(int port) throws IOException {
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + BODY + "\r\nConnection: close\r\n\r\n");
            c.send(new byte[BODY]);
            return c.read();
        }
    }

    /** A client with a small window that waits before reading, so the upstream's answer must be buffered. */
    private static byte[] slowGet(int port, String uri) throws Exception {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 << 10);
            s.setSoTimeout(30_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.getOutputStream().write(("GET " + uri + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(500);
            RawHttpClient.Response r = RawHttpClient.over(s).read();
            assertThat(r.status()).isEqualTo(200);
            return r.body();
        }
    }

    /** Writes zeros until the disk refuses more; returns how many it took. */
    private static long fill(Path file) throws IOException {
        long n = 0;
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                n += block.length;
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left on device");
            return n;
        }
    }

    private static long temporaryFiles(Path disk) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long n;
            try (Stream<Path> walk = Files.walk(disk)) {
                n = walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("access.log")).count();
            }
            if (n == 0 || System.nanoTime() > deadline) {
                return n;
            }
            Thread.sleep(50);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void mount(Path dir) throws Exception {
        String out = run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir.toString());
        if (out != null) {
            fail("this test mounts a 256 KiB tmpfs to fill it, which needs root (CAP_SYS_ADMIN): mount said: %s", out);
        }
    }

    private static void unmount(Path dir) throws Exception {
        String out = run("umount", "-l", dir.toString());
        assertThat(out).as("umount %s", dir).isNull();
    }

    /** Runs a command; null when it succeeded, else what it printed. */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not finish";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out.trim();
    }
}
