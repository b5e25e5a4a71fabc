package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http2_max_concurrent_streams, http2_body_preread_size, http2_chunk_size, http2_recv_buffer_size: defaults, inheritance, errors. */
class Http2DirectivesConfigTest {
    @TempDir
    Path dir;

    private Http2Settings server(String http) throws Exception {
        return new ConfigText(dir).server(http).fallback().module(Http2Module.SETTINGS);
    }

    @Test
    void defaultsAreNginxs() throws Exception {
        Http2Settings s = server("server { listen 8080; }");
        assertThat(s.maxConcurrentStreams()).isEqualTo(128);
        assertThat(s.bodyPrereadSize()).isEqualTo(64 * 1024);
        assertThat(s.chunkSize()).isEqualTo(8 * 1024);
        assertThat(s.recvBufferSize()).isEqualTo(256 * 1024);
    }

    @Test
    void serverLevelSettingsInheritFromHttpAndLocationsTakeTheirOwnChunkSize() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                http2_max_concurrent_streams 10;
                http2_body_preread_size 1k;
                http2_chunk_size 4k;
                http2_recv_buffer_size 128k;
                server { listen 8080; http2_body_preread_size 0; location /a/ { } location /b/ { http2_chunk_size 100; } }""");
        Http2Settings s = vs.fallback().module(Http2Module.SETTINGS);
        assertThat(s.maxConcurrentStreams()).isEqualTo(10);
        assertThat(s.bodyPrereadSize()).isZero();
        assertThat(s.recvBufferSize()).isEqualTo(128 * 1024);
        assertThat(ConfigText.location(vs, "/a/").settings().module(Http2Module.SETTINGS).chunkSize()).isEqualTo(4096);
        assertThat(ConfigText.location(vs, "/b/").settings().module(Http2Module.SETTINGS).chunkSize()).isEqualTo(100);
    }

    @Test
    void aChunkSizeLargerThanAFrameIsTheLargestFrame() throws Exception {
        assertThat(server("http2_chunk_size 100m; server { listen 8080; }").chunkSize()).isEqualTo((1 << 24) - 1);
    }

    @Test
    void badValuesAreErrorsAtTheirLine() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpErrorAt("server { listen 8080;\nhttp2_max_concurrent_streams many; }")).isEqualTo("invalid number:2");
        assertThat(c.httpErrorAt("server { listen 8080;\nhttp2_body_preread_size 4g; }"))
                .isEqualTo("the maximum body preread buffer size is 2147483647:2");
        assertThat(c.httpErrorAt("server { listen 8080; location / {\nhttp2_chunk_size 0; } }"))
                .isEqualTo("the http2 chunk size cannot be zero:2");
        assertThat(c.httpErrorAt("\nhttp2_recv_buffer_size 16; server { listen 8080; }")).isEqualTo("value is too small:2");
        assertThat(server("http2_recv_buffer_size 17; server { listen 8080; }").recvBufferSize()).isEqualTo(17);
    }

    @Test
    void eachDirectiveIsRefusedWhereNginxRefusesIt() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpErrorAt("server { listen 8080;\nhttp2_recv_buffer_size 64k; }")).contains(":2");
        assertThat(c.httpErrorAt("server { listen 8080; location / {\nhttp2_max_concurrent_streams 5; } }")).contains(":2");
    }
}
