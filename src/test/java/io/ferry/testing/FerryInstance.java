package io.ferry.testing;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.server.FerryServer;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real Ferry, in this JVM, started from configuration text written to a temporary prefix. */
public final class FerryInstance implements AutoCloseable {
    private final Path prefix;
    private final FerryServer server;

    private FerryInstance(Path prefix, FerryServer server) {
        this.prefix = prefix;
        this.server = server;
    }

    /** Writes {@code conf} as PREFIX/conf/ferry.conf (plus any extra files already placed there) and starts it. */
    public static FerryInstance start(Path prefix, String conf) throws Exception {
        Path confFile = prefix.resolve("conf/ferry.conf");
        Files.createDirectories(confFile.getParent());
        Files.writeString(confFile, conf);
        ConfigLoader.Loaded loaded = ConfigLoader.load(prefix, confFile, null);
        return new FerryInstance(prefix, FerryServer.start(loaded.config()));
    }

    public FerryServer server() {
        return server;
    }

    public Path prefix() {
        return prefix;
    }

    @Override
    public void close() {
        server.stop();
    }

    /**
     * A free port for configurations that must name one: never handed out twice, reserved against
     * other test JVMs, and outside the ephemeral range (see {@link FreePorts}).
     */
    public static int freePort() {
        return FreePorts.take();
    }
}
