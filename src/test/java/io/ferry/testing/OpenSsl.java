package io.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The openssl command line as the TLS tests' real counterpart: certificates made as nginx's own
 * tests make theirs, and {@code s_server -www}, whose page says whether each session was resumed.
 */
public final class OpenSsl {
    private OpenSsl() {
    }

    public static void run(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Path out = dir.resolve("openssl.out");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0)
                .as("openssl " + String.join(" ", args) + ": " + Files.readString(out)).isTrue();
    }

    /** DIR/NAME.crt and NAME.key (unencrypted) and NAME.p12 (password "secret", for {@link TlsBackend}). */
    public static Path selfSigned(Path dir, String name, String subject, String altNames) throws Exception {
        Files.createDirectories(dir);
        List<String> args = new ArrayList<>(List.of("req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes",
                "-days", "2", "-subj", subject, "-keyout", name + ".key", "-out", name + ".crt"));
        if (altNames != null) {
            args.addAll(List.of("-addext", "subjectAltName=" + altNames));
        }
        run(dir, args.toArray(String[]::new));
        run(dir, "pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-out", name + ".p12",
                "-passout", "pass:secret");
        return dir.resolve(name + ".p12");
    }

    /** openssl s_server -www on {@code port} with DIR/NAME.crt and .key, once it accepts connections. */
    public static AutoCloseable wwwServer(Path dir, String name, int port) throws Exception {
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", name + ".crt",
                "-key", name + ".key", "-www").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return server::destroy;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !server.isAlive()) {
                    server.destroy();
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
