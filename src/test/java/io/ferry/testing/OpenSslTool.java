package io.ferry.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The openssl command line as the stream TLS tests use it: certificates as nginx's tests make them, and s_client as the client. */
public final class OpenSslTool {
    private OpenSslTool() {
    }

    /** A self-signed EC certificate NAME.crt and key NAME.key in {@code dir}, subject CN=NAME. */
    public static void selfSigned(Path dir, String name) throws Exception {
        run(30, List.of("openssl", "req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-subj", "/CN=" + name + "/", "-days", "30",
                "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".crt").toString()), dir);
    }

    /**
     * A connection by openssl s_client that sends nothing and reads until the server closes: its
     * standard output and error together (what the server sent, the peer certificate, errors).
     */
    public static String sClient(Path dir, int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-ign_eof", "-connect", "127.0.0.1:" + port));
        command.addAll(List.of(options));
        return run(20, command, dir);
    }

    private static String run(int seconds, List<String> command, Path dir) throws Exception {
        Path output = Files.createTempFile(dir, "openssl", ".txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl did not finish: " + command + "\n" + Files.readString(output));
        }
        return Files.readString(output);
    }
}
