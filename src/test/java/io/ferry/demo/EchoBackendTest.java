package io.ferry.demo;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EchoBackendTest {
    @RegisterExtension
    final Closer closer = new Closer();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private EchoBackend backend;

    @BeforeEach
    void start() throws InterruptedException {
        backend = closer.add(EchoBackend.start(new InetSocketAddress("127.0.0.1", 0)));
    }

    @Test
    void negotiatesChatAndRecordsTheHandshake() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/chat/room?id=7", messages);

        assertThat(ws.getSubprotocol()).isEqualTo("chat");
        assertThat(backend.handshakes()).singleElement().satisfies(handshake -> {
            assertThat(handshake.uri()).isEqualTo("/chat/room?id=7");
            assertThat(handshake.headers().get("Origin")).isEqualTo("http://ferry.test");
            assertThat(handshake.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat, superchat");
        });
        ws.abort();
    }

    @Test
    void echoesTextWithItsType() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/", messages);

        ws.sendText("héllo ", false).get(10, SECONDS);
        ws.sendText("world", true).get(10, SECONDS);

        assertThat(messages.next()).isEqualTo("héllo world");
        ws.abort();
    }

    @Test
    void echoesLargeBinaryByteForByte() throws Exception {
        byte[] payload = new byte[4 * 1024 * 1024];
        new Random(42).nextBytes(payload);
        Messages messages = new Messages();
        WebSocket ws = connect("/binary", messages);

        ws.sendBinary(ByteBuffer.wrap(payload), true).get(10, SECONDS);

        assertThat(messages.next()).isInstanceOf(byte[].class).isEqualTo(payload);
        ws.abort();
    }

    @Test
    void answersPingWithMatchingPong() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/", messages);

        ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(10, SECONDS);

        assertThat(messages.next()).isEqualTo(new Pong("are you there"));
        ws.abort();
    }

    @Test
    void echoesTheCloseCodeAndReason() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = connect("/", messages);

        ws.sendClose(4000, "going away now").get(10, SECONDS);

        assertThat(messages.closed.get(10, SECONDS)).isEqualTo(new Close(4000, "going away now"));
    }

    @Test
    void describesPlainHttpRequests() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base("http") + "/plain/path?q=1"))
                .timeout(Duration.ofSeconds(10))
                .build();

        HttpResponse<String> response = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .get(10, SECONDS);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(response.body()).isEqualTo("ferry demo backend: GET /plain/path?q=1\n");
        assertThat(backend.handshakes()).isEmpty();
    }

    private WebSocket connect(String path, Messages listener) throws Exception {
        return client.newWebSocketBuilder()
                .subprotocols("chat", "superchat")
                .header("Origin", "http://ferry.test")
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(base("ws") + path), listener)
                .get(10, SECONDS);
    }

    private String base(String scheme) {
        return scheme + "://127.0.0.1:" + backend.port();
    }

    private record Pong(String payload) {
    }

    private record Close(int code, String reason) {
    }

    /** Reassembles partial deliveries into whole messages, queued in arrival order. */
    private static final class Messages implements WebSocket.Listener {
        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final CompletableFuture<Close> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        Object next() throws InterruptedException {
            Object message = queue.poll(10, SECONDS);
            assertThat(message).as("message within 10 s").isNotNull();
            return message;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                queue.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                queue.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            queue.add(new Pong(StandardCharsets.UTF_8.decode(message).toString()));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
            queue.add(error);
        }
    }
}
