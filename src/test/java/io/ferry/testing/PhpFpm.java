package io.ferry.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real php-fpm (Debian's package) for the FastCGI tests, in the foreground, with its own
 * configuration under a temporary directory: one static pool of four workers on 127.0.0.1:PORT or
 * on a unix socket, as the current user. Tests fail (never skip) when php-fpm is not installed.
 */
public final class PhpFpm implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;
    private final Path socket;

    private PhpFpm(Process process, Path dir, int port, Path socket) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.socket = socket;
    }

    public static PhpFpm startTcp(Path dir) throws Exception {
        int port = FerryInstance.freePort();
        return start(dir, "127.0.0.1:" + port, port, null);
    }

    public static PhpFpm startUnix(Path dir) throws Exception {
        Path socket = dir.resolve("php-fpm.sock");
        return start(dir, socket.toString(), 0, socket);
    }

    public int port() {
        return port;
    }

    public Path socket() {
        return socket;
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("php-fpm.log"));
        } catch (IOException e) {
            return "(no php-fpm log: " + e.getMessage() + ")";
        }
    }

    /** php-fpm on PATH, or Debian's versioned php-fpmX.Y under /usr/sbin. */
    public static Path binary() {
        for (String dirName : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin").split(":")) {
            if (!dirName.isEmpty() && Files.isExecutable(Path.of(dirName, "php-fpm"))) {
                return Path.of(dirName, "php-fpm");
            }
        }
        try (Stream<Path> s = Files.list(Path.of("/usr/sbin"))) {
            return s.filter(p -> p.getFileName().toString().matches("php-fpm\\d+(\\.\\d+)?"))
                    .filter(Files::isExecutable)
                    .max(Comparator.naturalOrder())
                    .orElseThrow(PhpFpm::missing);
        } catch (IOException e) {
            throw missing();
        }
    }

    private static AssertionError missing() {
        return new AssertionError("php-fpm is not installed (looked for php-fpm on PATH and php-fpm8.* in /usr/sbin): "
                + "run bin/test, which installs Debian's php-fpm, or apt-get install php-fpm");
    }

    private static PhpFpm start(Path dir, String listen, int port, Path socket) throws Exception {
        Path binary = binary();
        Files.createDirectories(dir);
        boolean root = "root".equals(System.getProperty("user.name"));
        String conf = """
                [global]
                pid = %1$s/php-fpm.pid
                error_log = %1$s/php-fpm.log
                daemonize = no
                log_level = notice

                [ferry]
                listen = %2$s
                listen.mode = 0666
                pm = static
                pm.max_children = 4
                %3$s
                clear_env = no
                catch_workers_output = no
                php_admin_value[post_max_size] = 64M
                php_admin_value[upload_max_filesize] = 64M
                php_admin_value[memory_limit] = 256M
                php_admin_flag[log_errors] = on
                php_admin_flag[display_errors] = off
                php_admin_value[output_buffering] = 4096
                """.formatted(dir, listen, root ? "user = root\ngroup = root" : "");
        Path confFile = dir.resolve("php-fpm.conf");
        Files.writeString(confFile, conf);
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-F", "-y", confFile.toString(), "-p", dir.toString()));
        if (root) {
            command.add("-R");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("php-fpm.out").toFile()).start();
        PhpFpm fpm = new PhpFpm(p, dir, port, socket);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("php-fpm exited with " + p.exitValue() + ": " + Files.readString(dir.resolve("php-fpm.out"))
                        + fpm.log());
            }
            if (reachable(port, socket)) {
                return fpm;
            }
            Thread.sleep(50);
        }
        fpm.close();
        throw new AssertionError("php-fpm did not listen on " + listen + " within 20 s: " + fpm.log());
    }

    private static boolean reachable(int port, Path socket) {
        if (socket != null) {
            if (!Files.exists(socket)) {
                return false;
            }
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                return ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                return false;
            }
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
