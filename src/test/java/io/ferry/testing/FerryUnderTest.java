package io.ferry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Ferry an integration test runs against, registered with {@code @RegisterExtension}: a prefix of
 * its own whose html/ is the document root, the port its configuration listens on, and the server
 * started from that configuration. On a static field it is stopped after the class, on an instance
 * field after each test; its prefix is removed with it.
 */
public final class FerryUnderTest implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final int port = FreePorts.take();
    private Path prefix;
    private FerryInstance ferry;
    private boolean classLevel;

    /** The port to write in the configuration's listen. */
    public int port() {
        return port;
    }

    public Path prefix() throws IOException {
        if (prefix == null) {
            prefix = Files.createTempDirectory("ferry-it");
        }
        return prefix;
    }

    /** PREFIX/html, the default document root, created. */
    public Path html() throws IOException {
        return Files.createDirectories(prefix().resolve("html"));
    }

    /** Writes {@code text} as html/PATH, creating the directories it needs. */
    public Path file(String path, String text) throws IOException {
        Path file = html().resolve(path);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    /** Starts Ferry from {@code conf}, already formatted with {@link #port()} and whatever else it names. */
    public FerryInstance start(String conf) throws Exception {
        ferry = FerryInstance.start(prefix(), conf);
        return ferry;
    }

    /** One GET of {@code target} on a connection of its own (see {@link RawHttpClient#getOnce}). */
    public RawHttpClient.Response get(String target) throws IOException {
        return RawHttpClient.getOnce(port, target);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Only a static field is here before the tests run.
        classLevel = true;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (!classLevel) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        stop();
    }

    private void stop() throws IOException {
        try {
            if (ferry != null) {
                ferry.close();
            }
        } finally {
            ferry = null;
            if (prefix != null) {
                try (Stream<Path> files = Files.walk(prefix)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
                prefix = null;
            }
        }
    }
}
