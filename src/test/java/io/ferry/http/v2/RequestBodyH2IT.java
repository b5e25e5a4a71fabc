package io.ferry.http.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.H2BodyClient;
import io.ferry.testing.H2BodyClient.Frame;
import io.ferry.testing.HttpEchoBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies and trailers on HTTP/2 streams, frame by frame as nginx sends them: a body that does not
 * match its content-length is a 400, a buffered body opens the stream's window at once, a body the answer
 * did not need is refused with RST_STREAM NO_ERROR, and a long trailer block spans CONTINUATION frames.
 */
class RequestBodyH2IT {
    @TempDir
    Path prefix;

    private FerryInstance start(int port, int backend) throws Exception {
        return FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%1$d;
                        http2 on;
                        send_timeout 1s;
                        location / { return 200 "TEST"; }
                        error_page 400 /self/redirected;
                        location /errors/ { proxy_pass http://127.0.0.1:%2$d/; }
                        location /self/ { proxy_pass http://127.0.0.1:%3$d/; }
                        location /proxy/ { proxy_pass http://127.0.0.1:%2$d/; }
                        location /long {
                            add_trailer X-Long $arg_h;
                            add_trailer X-Long $arg_h;
                            add_trailer X-Long $arg_h;
                            add_trailer X-Long $arg_h;
                            add_trailer X-Long $arg_h;
                            return 200 "TEST";
                        }
                    }
                    server {
                        listen 127.0.0.1:%3$d;
                        location / { return 200 "SEE-THIS"; }
                    }
                }
                """.formatted(port, backend, FerryInstance.freePort()));
    }

    @Test
    void aBodyUnlikeItsContentLengthIsABadRequest() throws Exception {
        int port = FerryInstance.freePort();
        try (HttpEchoBackend backend = HttpEchoBackend.start(); FerryInstance ignored = start(port, backend.port());
                H2BodyClient c = new H2BodyClient(port)) {
            c.request(1, "POST", "/proxy/", false, "content-length", "5");
            c.data(1, "TEST", true);
            List<Frame> less = c.readUntil(f -> f.stream() == 1 && (f.flags() & H2BodyClient.END_STREAM) != 0, 5000);
            assertThat(H2BodyClient.status(less, 1)).isEqualTo("400");

            c.request(3, "POST", "/proxy/", false, "content-length", "3");
            c.data(3, "TEST", true);
            List<Frame> more = c.readUntil(f -> f.stream() == 3 && (f.flags() & H2BodyClient.END_STREAM) != 0, 5000);
            assertThat(H2BodyClient.status(more, 3)).isEqualTo("400");
            assertThat(backend.requests()).isEmpty();
        }
    }

    @Test
    void errorPageServesABrokenBodyAndARequestWithoutMethod() throws Exception {
        int port = FerryInstance.freePort();
        try (HttpEchoBackend backend = HttpEchoBackend.start(); FerryInstance ignored = start(port, backend.port());
                H2BodyClient c = new H2BodyClient(port)) {
            c.request(1, "POST", "/errors/", false, "content-length", "5");
            c.data(1, "TEST", true);
            List<Frame> frames = c.readUntil(f -> f.stream() == 1 && (f.flags() & H2BodyClient.END_STREAM) != 0, 5000);
            assertThat(H2BodyClient.status(frames, 1)).isEqualTo("400");
            assertThat(frames).filteredOn(f -> f.type() == H2BodyClient.DATA).extracting(Frame::text).containsExactly("SEE-THIS");

            c.request(3, "", "/errors/", true);
            frames = c.readUntil(f -> f.stream() == 3 && (f.flags() & H2BodyClient.END_STREAM) != 0, 5000);
            assertThat(H2BodyClient.status(frames, 3)).isEqualTo("400");
            assertThat(frames).filteredOn(f -> f.type() == H2BodyClient.DATA).extracting(Frame::text).containsExactly("SEE-THIS");
            assertThat(backend.requests()).isEmpty();
        }
    }

    @Test
    void aStreamItsClientTakesNothingFromTimesOut() throws Exception {
        int port = FerryInstance.freePort();
        try (HttpEchoBackend backend = HttpEchoBackend.start(); FerryInstance ignored = start(port, backend.port());
                H2BodyClient c = new H2BodyClient(port)) {
            c.setting(0x4, 1);
            c.request(1, "GET", "/", true);
            List<Frame> frames = c.readUntil(f -> f.type() == H2BodyClient.RST_STREAM, 5000);
            assertThat(frames).filteredOn(f -> f.type() == H2BodyClient.DATA).extracting(Frame::text).containsExactly("T");
            assertThat(frames.get(frames.size() - 1).type()).as("reset after send_timeout").isEqualTo(H2BodyClient.RST_STREAM);
        }
    }

    @Test
    void aBufferedBodyOpensTheStreamWindowAtOnce() throws Exception {
        int port = FerryInstance.freePort();
        try (HttpEchoBackend backend = HttpEchoBackend.start(); FerryInstance ignored = start(port, backend.port());
                H2BodyClient c = new H2BodyClient(port)) {
            c.request(1, "POST", "/proxy/", false);
            List<Frame> frames = c.readUntil(f -> f.type() == H2BodyClient.WINDOW_UPDATE && f.stream() == 1, 5000);
            Frame update = frames.get(frames.size() - 1);
            assertThat(update.stream()).isEqualTo(1);
            assertThat(update.intPayload()).isGreaterThanOrEqualTo(Integer.MAX_VALUE - 2 * 65536);
            for (int i = 0; i < 5; i++) {
                c.data(1, "01234567".repeat(2048), i == 4);
            }
            List<Frame> answer = c.readUntil(f -> f.stream() == 1 && (f.flags() & H2BodyClient.END_STREAM) != 0, 5000);
            assertThat(H2BodyClient.status(answer, 1)).isEqualTo("200");
            assertThat(backend.last().bodyLength()).isEqualTo(81920);
        }
    }

    @Test
    void aBodyTheAnswerDidNotNeedIsRefusedWithoutError() throws Exception {
        int port = FerryInstance.freePort();
        try (HttpEchoBackend backend = HttpEchoBackend.start(); FerryInstance ignored = start(port, backend.port());
                H2BodyClient c = new H2BodyClient(port)) {
            c.request(1, "POST", "/", false);
            List<Frame> frames = c.readUntil(f -> f.type() == H2BodyClient.RST_STREAM, 2000);
            assertThat(H2BodyClient.status(frames, 1)).isEqualTo("200");
            Frame reset = frames.get(frames.size() - 1);
            assertThat(reset.type()).isEqualTo(H2BodyClient.RST_STREAM);
            assertThat(reset.intPayload()).as("NO_ERROR").isZero();
        }
    }

    @Test
    void aLongTrailerBlockSpansContinuationFrames() throws Exception {
        int port = FerryInstance.freePort();
        String value = "x".repeat(4000);
        try (HttpEchoBackend backend = HttpEchoBackend.start(); FerryInstance ignored = start(port, backend.port());
                H2BodyClient c = new H2BodyClient(port)) {
            c.request(1, "GET", "/long?h=" + value, true);
            List<Frame> frames = c.readUntil(f -> f.type() == H2BodyClient.CONTINUATION, 5000).stream()
                    .filter(f -> f.stream() == 1).toList();
            assertThat(frames).extracting(Frame::type).containsExactly(H2BodyClient.HEADERS, H2BodyClient.DATA,
                    H2BodyClient.HEADERS, H2BodyClient.CONTINUATION);
            assertThat(frames.get(2).flags()).isEqualTo(H2BodyClient.END_STREAM);
            assertThat(frames.get(3).flags()).isEqualTo(H2BodyClient.END_HEADERS);
            assertThat(frames.get(3).headers().getAll("x-long")).hasSize(5).allMatch(v -> v.toString().equals(value));
        }
    }
}
