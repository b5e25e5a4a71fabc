package io.ferry.variable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** $pid is the serving process (the test's own JVM runs Ferry here) and $hostname the machine's name. */
@Timeout(60)
class ProcessVariablesIT {
    @TempDir
    Path prefix;
    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void pidAndHostnameNameTheProcessAndTheMachine() throws Exception {
        int port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http { server { listen 127.0.0.1:%d; location / { return 200 "$pid $hostname"; } } }
                """.formatted(port)));
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.get("/").text())
                    .isEqualTo(ProcessHandle.current().pid() + " " + InetAddress.getLocalHost().getHostName());
        }
    }
}
