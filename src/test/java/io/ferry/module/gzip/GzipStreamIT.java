package io.ferry.module.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A proxied chunked stream through gzip reaches the client flush by flush. The backend sends one
 * event, then waits until the client has received and decompressed exactly that event before it
 * sends the next: if Ferry held compressed bytes back (no sync flush, or buffering until the end),
 * the client would never see the event, the backend would never go on, and the test fails on its
 * read timeout.
 */
@Timeout(120)
class GzipStreamIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    private static final int EVENTS = 8;
    private static final int WAIT_SECONDS = 20;

    @TempDir
    static Path prefix;
    static FerryInstance ferry;
    static int port;
    static ServerSocket backend;

    @BeforeAll
    static void start() throws Exception {
        backend = closer.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                events { }
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%1$d;
                        gzip on;
                        gzip_min_length 0;
                        proxy_http_version 1.1;
                        location /html/ { proxy_pass http://127.0.0.1:%2$d; }
                        location /sse/ { gzip_types text/event-stream; proxy_pass http://127.0.0.1:%2$d; }
                    }
                }
                """.formatted(port, backend.getLocalPort())));
    }

    @ParameterizedTest
    @CsvSource({"/html/page, text/html", "/sse/events, text/event-stream"})
    void eachBackendChunkIsDecompressibleByTheClientBeforeTheNextIsSent(String target, String type) throws Exception {
        Semaphore received = new Semaphore(0);
        CompletableFuture<Void> served = CompletableFuture.runAsync(() -> serve(type, received));
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(WAIT_SECONDS * 1000);
            client.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept-Encoding: gzip\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            String head = head(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\ncontent-encoding: gzip\r\n")
                    .containsIgnoringCase("\r\ntransfer-encoding: chunked\r\n");

            GzipReader reader = new GzipReader(in);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < EVENTS; i++) {
                String expected = event(i);
                try {
                    while (text.length() < expected.length()) {
                        text.append(reader.next());
                    }
                } catch (SocketTimeoutException e) {
                    // the backend waits longer than this, so a held-back event is reported here
                    throw new AssertionError("event " + i + " did not reach the client within " + WAIT_SECONDS
                            + " s although the backend sent and flushed it; decompressed so far: " + text, e);
                }
                // exactly this event: the backend has not sent the next one yet
                assertThat(text.toString()).isEqualTo(expected);
                text.setLength(0);
                received.release();
            }
            assertThat(reader.rest()).isEmpty();
        } finally {
            received.release(EVENTS);
        }
        served.get(2 * WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static String event(int i) {
        return "data: event " + i + " " + "payload ".repeat(5 + i * 30) + "\n\n";
    }

    /** One upstream exchange: a chunked response, one event per chunk, each sent once the client has the one before. */
    private static void serve(String type, Semaphore received) {
        try (Socket s = backend.accept()) {
            s.setSoTimeout(2 * WAIT_SECONDS * 1000);
            head(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < EVENTS; i++) {
                byte[] event = event(i).getBytes(StandardCharsets.UTF_8);
                out.write((Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(event);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (!received.tryAcquire(2 * WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("the client never got event " + i);
                }
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads up to and including the blank line that ends a message head. */
    static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the head: " + head);
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * A chunked gzip body, decompressed chunk by chunk as it arrives: the 10-byte gzip header is
     * skipped, the rest fed to a raw inflater.
     */
    static final class GzipReader {
        private final InputStream in;
        private final Inflater inflater = new Inflater(true);
        private int headerLeft = 10;
        private boolean ended;

        GzipReader(InputStream in) {
            this.in = in;
        }

        /** Reads one chunk and returns what it decompresses to (possibly nothing). */
        String next() throws IOException, DataFormatException {
            byte[] chunk = chunk();
            if (chunk == null) {
                throw new IOException("the body ended");
            }
            int skip = Math.min(headerLeft, chunk.length);
            headerLeft -= skip;
            inflater.setInput(chunk, skip, chunk.length - skip);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = inflater.inflate(buf)) > 0) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        /** Decompresses whatever follows until the last chunk; the gzip stream must end there. */
        String rest() throws IOException, DataFormatException {
            StringBuilder text = new StringBuilder();
            while (!ended) {
                byte[] chunk = chunk();
                if (chunk == null) {
                    break;
                }
                inflater.setInput(chunk);
                byte[] buf = new byte[8192];
                int n;
                while ((n = inflater.inflate(buf)) > 0) {
                    text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            }
            assertThat(inflater.finished()).as("the deflate stream is complete").isTrue();
            assertThat(inflater.getRemaining()).as("the 8-byte gzip trailer follows the deflate stream").isEqualTo(8);
            inflater.end();
            return text.toString();
        }

        private byte[] chunk() throws IOException {
            String size = line();
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                line();
                ended = true;
                return null;
            }
            byte[] bytes = in.readNBytes(n);
            line();
            return bytes;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("closed inside the chunked body");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }
    }
}
