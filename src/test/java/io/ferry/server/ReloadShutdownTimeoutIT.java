package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** worker_shutdown_timeout after a reload: connections from before it are closed once it passes, as nginx's old worker's. */
@Timeout(60)
class ReloadShutdownTimeoutIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;

    @Test
    void connectionsFromBeforeTheReloadCloseOnceTheTimeoutPasses() throws Exception {
        int port = FerryInstance.freePort();
        String conf = "worker_shutdown_timeout 100ms;\nhttp { server { listen 127.0.0.1:" + port
                + "; location / { return 200 ok; } } }\n";
        FerryInstance ferry = closer.add(FerryInstance.start(prefix, conf));
        try (RawHttpClient silent = new RawHttpClient(port); RawHttpClient kept = new RawHttpClient(port)) {
            assertThat(kept.get("/").text()).isEqualTo("ok");
            FerryServer server = ferry.server();
            server.reload(ConfigLoader.load(prefix, prefix.resolve("conf/ferry.conf"), null).config());
            server.retire(Duration.ofMillis(100));
            assertThat(silent.closedByPeer()).isTrue();
            assertThat(kept.closedByPeer()).isTrue();
            try (RawHttpClient fresh = new RawHttpClient(port)) {
                assertThat(fresh.get("/").text()).isEqualTo("ok");
            }
        }
    }

    @Test
    void withoutTheTimeoutTheyServeOn() throws Exception {
        int port = FerryInstance.freePort();
        String conf = "http { server { listen 127.0.0.1:" + port + "; location / { return 200 ok; } } }\n";
        FerryInstance ferry = closer.add(FerryInstance.start(prefix, conf));
        try (RawHttpClient kept = new RawHttpClient(port)) {
            assertThat(kept.get("/").text()).isEqualTo("ok");
            ferry.server().reload(ConfigLoader.load(prefix, prefix.resolve("conf/ferry.conf"), null).config());
            ferry.server().retire(null);
            Thread.sleep(200);
            assertThat(kept.get("/").text()).isEqualTo("ok");
        }
    }
}
