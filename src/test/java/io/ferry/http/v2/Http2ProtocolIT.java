package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2ProtocolClient;
import io.ferry.testing.H2ProtocolClient.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 frame-level behaviour as nginx's: what a stream gets for methods, timeouts and frame sizes. */
@Timeout(60)
class Http2ProtocolIT {
    @TempDir
    static Path prefix;
    @RegisterExtension
    static final Closer closer = new Closer();
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        Path html = Files.createDirectories(prefix.resolve("html"));
        Files.write(html.resolve("big.html"), new byte[100_000]);
        Files.writeString(html.resolve("small.html"), "SEE-THIS");
        closer.add(FerryInstance.start(prefix, """
                http {
                    http2 on;
                    send_timeout 1s;
                    server {
                        listen 127.0.0.1:%d;
                        root %s;
                        error_page 400 = /refused;
                        location /refused { return 444; }
                        location /chunk_size { http2_chunk_size 1; return 200 body; }
                        location /small.html { gzip on; gzip_min_length 0; }
                    }
                }
                """.formatted(port, html)));
    }

    @Test
    void aResponseStalledOnTheClientsWindowIsResetAfterSendTimeout() throws Exception {
        try (H2ProtocolClient c = H2ProtocolClient.connect(port)) {
            c.request(1, "GET", "/big.html");
            List<Frame> frames = c.readUntil(f -> f.type() == H2ProtocolClient.RST_STREAM, 5000);
            int data = frames.stream().filter(f -> f.type() == H2ProtocolClient.DATA).mapToInt(f -> f.payload().length).sum();
            assertThat(data).as("the initial window's worth").isEqualTo(65535);
            Frame last = frames.get(frames.size() - 1);
            assertThat(last.type()).isEqualTo(H2ProtocolClient.RST_STREAM);
            assertThat(last.stream()).isEqualTo(1);
            assertThat(last.errorCode()).as("PROTOCOL_ERROR, as nginx resets a timed-out stream").isEqualTo(1);
        }
    }

    @Test
    void connectIsNotAllowed() throws Exception {
        try (H2ProtocolClient c = H2ProtocolClient.connect(port)) {
            c.request(1, "CONNECT", "/");
            Frame head = c.readUntil(f -> f.type() == H2ProtocolClient.HEADERS, 5000).stream()
                    .filter(f -> f.type() == H2ProtocolClient.HEADERS).findFirst().orElseThrow();
            assertThat(c.headers(head).status().toString()).isEqualTo("405");
        }
    }

    @Test
    void aProtocolErrorIsAnsweredWithItsOwnGoawayCode() throws Exception {
        try (H2ProtocolClient c = H2ProtocolClient.connect(port)) {
            c.frame(H2ProtocolClient.GOAWAY, 0, 1, new byte[8]);
            Frame goaway = goaway(c);
            assertThat(goaway.errorCode()).as("PROTOCOL_ERROR: GOAWAY on a stream").isEqualTo(1);
        }
        try (H2ProtocolClient c = H2ProtocolClient.connect(port)) {
            c.frame(H2ProtocolClient.GOAWAY, 0, 0, new byte[0]);
            assertThat(goaway(c).errorCode()).as("FRAME_SIZE_ERROR: GOAWAY shorter than 8 bytes").isEqualTo(6);
        }
    }

    @Test
    void aRequestRefusedForItsHeadersGoesToErrorPage() throws Exception {
        try (H2ProtocolClient c = H2ProtocolClient.connect(port)) {
            var noScheme = new io.netty.handler.codec.http2.DefaultHttp2Headers().method("GET").path("/")
                    .authority("localhost");
            c.frame(H2ProtocolClient.HEADERS, 0x5, 1, c.block(noScheme));
            List<Frame> frames = c.readUntil(f -> f.type() == H2ProtocolClient.RST_STREAM, 5000);
            assertThat(frames).last().extracting(Frame::type, Frame::stream)
                    .as("error_page's 444 resets the stream").containsExactly(H2ProtocolClient.RST_STREAM, 1);
        }
    }

    @Test
    void theBodyIsSlicedIntoDataFramesOfHttp2ChunkSizeEvenWhenTheyWaitForTheWindow() throws Exception {
        try (H2ProtocolClient c = H2ProtocolClient.connect(port)) {
            c.request(1, "GET", "/chunk_size");
            List<Frame> data = c.readUntil(Frame::endStream, 5000).stream()
                    .filter(f -> f.type() == H2ProtocolClient.DATA).toList();
            assertThat(data).extracting(f -> new String(f.payload())).containsExactly("b", "o", "d", "y");
            assertThat(data).extracting(Frame::flags).containsExactly(0, 0, 0, 1);
        }
        try (H2ProtocolClient c = H2ProtocolClient.connect(port)) {
            c.request(1, "GET", "/big.html");
            List<Frame> data = c.readUntil(f -> false, 1500).stream()
                    .filter(f -> f.type() == H2ProtocolClient.DATA).toList();
            assertThat(data).as("frames of at most 8k (the default chunk size), not merged while they wait")
                    .allSatisfy(f -> assertThat(f.payload().length).isLessThanOrEqualTo(8192));
            assertThat(data.stream().mapToInt(f -> f.payload().length).sum()).as("the initial window").isEqualTo(65535);
        }
    }

    @Test
    void smallPiecesOfABodyShareOneDataFrameWithinTheChunkSize() throws Exception {
        try (H2ProtocolClient c = H2ProtocolClient.connect(port)) {
            var gzip = new io.netty.handler.codec.http2.DefaultHttp2Headers().method("GET").scheme("http")
                    .path("/small.html").authority("localhost").add("accept-encoding", "gzip");
            c.frame(H2ProtocolClient.HEADERS, 0x5, 1, c.block(gzip));
            List<Frame> data = c.readUntil(Frame::endStream, 5000).stream()
                    .filter(f -> f.type() == H2ProtocolClient.DATA && f.payload().length > 0).toList();
            assertThat(data).as("the gzip header, deflated bytes and trailer in one frame").hasSize(1);
        }
    }

    @Test
    void aSettingsAcknowledgementFirstIsNotAnsweredWithAnAcknowledgement() throws Exception {
        try (H2ProtocolClient c = H2ProtocolClient.prefaceOnly(port)) {
            c.readUntil(f -> f.type() == H2ProtocolClient.SETTINGS, 5000);
            c.frame(H2ProtocolClient.SETTINGS, 1, 0, new byte[0]);
            c.frame(H2ProtocolClient.SETTINGS, 0, 0, new byte[] {0, 5, 0, 0, 0, 42});
            List<Frame> frames = c.readUntil(f -> f.type() == H2ProtocolClient.GOAWAY, 5000);
            assertThat(frames).extracting(Frame::type).as("no SETTINGS ack for frames the client never sent")
                    .doesNotContain(H2ProtocolClient.SETTINGS).contains(H2ProtocolClient.GOAWAY);
            assertThat(frames.get(frames.size() - 1).errorCode()).as("an invalid SETTINGS_MAX_FRAME_SIZE").isEqualTo(1);
        }
    }

    private static Frame goaway(H2ProtocolClient c) throws Exception {
        List<Frame> frames = c.readUntil(f -> f.type() == H2ProtocolClient.GOAWAY, 5000);
        assertThat(frames).isNotEmpty().last().extracting(Frame::type).isEqualTo(H2ProtocolClient.GOAWAY);
        return frames.get(frames.size() - 1);
    }
}
