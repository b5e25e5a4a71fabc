package io.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real memcached (Debian's package, which bin/test installs) on 127.0.0.1 and an ephemeral
 * port, killed on close. Missing memcached fails the test: these tests are never skipped.
 */
public final class MemcachedServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private MemcachedServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static MemcachedServer start() throws Exception {
        String binary = find();
        int port = FerryInstance.freePort();
        ProcessBuilder pb = "root".equals(System.getProperty("user.name"))
                ? new ProcessBuilder(binary, "-p", Integer.toString(port), "-l", "127.0.0.1", "-U", "0", "-u", "root")
                : new ProcessBuilder(binary, "-p", Integer.toString(port), "-l", "127.0.0.1", "-U", "0");
        Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        MemcachedServer server = new MemcachedServer(p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("memcached exited with status " + p.exitValue() + " on port " + port);
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return server;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        server.close();
        throw new IllegalStateException("memcached did not listen on 127.0.0.1:" + port + " within 10s");
    }

    private static String find() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "memcached");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        for (String p : new String[] {"/usr/bin/memcached", "/usr/local/bin/memcached"}) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException("memcached is not installed: bin/test installs it (Debian package \"memcached\"), "
                + "or run apt-get install memcached");
    }

    public int port() {
        return port;
    }

    /** memcached's "set": the value is stored as these exact bytes with these flags. */
    public void set(String key, int flags, byte[] value) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("set " + key + " " + flags + " 0 " + value.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(value);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = new byte[8];
            int n = in.readNBytes(reply, 0, 8);
            String got = new String(reply, 0, n, StandardCharsets.US_ASCII);
            if (!got.equals("STORED\r\n")) {
                throw new IOException("memcached answered " + got + " to set " + key);
            }
        }
    }

    /** memcached's "stats" total_connections: every connection it accepted, this one included. */
    public long totalConnections() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null && !line.equals("END"); ) {
                if (line.startsWith("STAT total_connections ")) {
                    return Long.parseLong(line.substring(23).trim());
                }
            }
            throw new IOException("memcached's stats have no total_connections");
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
