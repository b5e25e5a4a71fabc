package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2FrameClient;
import io.ferry.testing.H2FrameClient.Frame;
import io.netty.handler.codec.http2.Http2FrameTypes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What the HTTP/2 directives do on the wire: the SETTINGS a client is sent, the window it gets, DATA frame sizes. */
@Timeout(60)
class Http2SettingsIT {
    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path prefix;
    private int port;

    @BeforeEach
    void start() throws Exception {
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        http2 on;
                        http2_max_concurrent_streams 7;
                        http2_body_preread_size 1k;
                        large_client_header_buffers 2 4k;
                        location / { return 200 "%s"; }
                        location /small { http2_chunk_size 100; return 200 "%s"; }
                    }
                }
                """.formatted(port, "x".repeat(20_000), "y".repeat(1000))));
    }

    @Test
    void settingsCarryTheConcurrentStreamsTheWindowAndTheHeaderLimit() throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(port)) {
            Frame s = c.await(f -> f.type() == Http2FrameTypes.SETTINGS && f.settings() != null);
            assertThat(s.settings().maxConcurrentStreams()).isEqualTo(7L);
            assertThat(s.settings().initialWindowSize()).isEqualTo(1024);
            assertThat(s.settings().maxHeaderListSize()).isEqualTo(HeaderBlockLimit.headerListSize(new io.ferry.model.ServerLimits(1024, 2, 4096, java.time.Duration.ofSeconds(60))));
        }
    }

    @Test
    void dataFramesAreAtMostTheLocationsChunkSize() throws Exception {
        assertThat(dataFrames("/")).allMatch(n -> n <= 8192).hasSize(3).contains(8192);
        assertThat(dataFrames("/small")).allMatch(n -> n == 100).hasSize(10);
    }

    private List<Integer> dataFrames(String path) throws Exception {
        try (H2FrameClient c = H2FrameClient.connect(port)) {
            c.get(1, path);
            List<Integer> sizes = new ArrayList<>();
            c.await(f -> {
                if (f.type() == Http2FrameTypes.DATA) {
                    sizes.add(f.length());
                }
                return f.streamId() == 1 && f.endStream();
            });
            return sizes;
        }
    }
}
