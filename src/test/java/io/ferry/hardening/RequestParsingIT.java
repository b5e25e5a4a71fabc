package io.ferry.hardening;

import io.ferry.testing.Closer;
import io.ferry.testing.RawHttpClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryInstance;
import io.ferry.testing.HttpEchoBackend;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9112 request parsing at the edge: every malformed or ambiguous request is refused with the
 * right status, the connection is closed, the backend behind proxy_pass receives nothing, and a
 * normal request on a new connection still works.
 */
@Timeout(60)
class RequestParsingIT {
    @TempDir
    static Path prefix;
    @RegisterExtension
    static final Closer closer = new Closer();
    static HttpEchoBackend backend;
    static FerryInstance ferry;
    static int port;
    /** A listener standing in for "another host": nothing may ever connect to it. */
    static ServerSocket elsewhere;
    static final AtomicInteger elsewhereAccepts = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        backend = closer.add(HttpEchoBackend.start());
        elsewhere = closer.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread t = new Thread(() -> {
            while (!elsewhere.isClosed()) {
                try (Socket s = elsewhere.accept()) {
                    elsewhereAccepts.incrementAndGet();
                } catch (Exception e) {
                    return;
                }
            }
        }, "elsewhere");
        t.setDaemon(true);
        t.start();
        port = FerryInstance.freePort();
        ferry = closer.add(FerryInstance.start(prefix, """
                events { worker_connections 1024; }
                http {
                    client_header_timeout 10s;
                    server {
                        listen 127.0.0.1:%d default_server;
                        server_name backend.test;
                        location / { proxy_pass http://127.0.0.1:%d; }
                    }
                }
                """.formatted(port, backend.port())));
    }

    // ---- the check every test shares ----------------------------------------------------------

    /**
     * Sends {@code request} in one write and expects one of {@code statuses}, then the connection
     * closed; the backend must not have received a request (nor, when {@code headRejected}, even a
     * connection); finally a normal request on a new connection must succeed.
     */
    static void refused(byte[] request, boolean headRejected, int... statuses) throws Exception {
        int requestsBefore = backend.requests().size();
        int connectionsBefore = backend.connections();
        try (Raw raw = new Raw(port, 5_000, -1)) {
            raw.send(request);
            RawHttpClient.Response r = raw.read();
            assertThat(r.status()).as("status for %s", printable(request)).isIn((Object[]) box(statuses));
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(raw.closesWithin(3_000)).as("connection closed after the error").isTrue();
        }
        assertThat(backend.requests()).as("backend requests").hasSize(requestsBefore);
        if (headRejected) {
            assertThat(backend.connections()).as("backend connections").isEqualTo(connectionsBefore);
        }
        assertThat(elsewhereAccepts.get()).isZero();
        normalRequestSucceeds();
    }

    static void refused(String request, boolean headRejected, int... statuses) throws Exception {
        refused(request.getBytes(StandardCharsets.ISO_8859_1), headRejected, statuses);
    }

    static void normalRequestSucceeds() throws Exception {
        int before = backend.requests().size();
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("GET /after HTTP/1.1\r\nHost: backend.test\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("GET /after\n");
        }
        assertThat(backend.requests()).hasSize(before + 1);
    }

    private static Integer[] box(int[] statuses) {
        Integer[] out = new Integer[statuses.length];
        for (int i = 0; i < statuses.length; i++) {
            out[i] = statuses[i];
        }
        return out;
    }

    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.length() > 200 ? sb.substring(0, 200) + "..." : sb.toString();
    }

    // ---- framing ------------------------------------------------------------------------------

    @Test
    void contentLengthTogetherWithChunkedIsRefused() throws Exception {
        refused("POST /smuggle HTTP/1.1\r\nHost: backend.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: backend.test\r\n\r\n", true, 400);
    }

    @Test
    void chunkedTogetherWithContentLengthIsRefused() throws Exception {
        refused("POST /smuggle HTTP/1.1\r\nHost: backend.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                + "0\r\n\r\n", true, 400);
    }

    @Test
    void twoDifferentContentLengthsAreRefused() throws Exception {
        refused("POST /cl HTTP/1.1\r\nHost: backend.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", true, 400);
    }

    @Test
    void twoDifferentContentLengthsInOneFieldAreRefused() throws Exception {
        refused("POST /cl HTTP/1.1\r\nHost: backend.test\r\nContent-Length: 5, 6\r\n\r\nhello!", true, 400);
    }

    @Test
    void malformedChunkSizeIsRefused() throws Exception {
        refused("POST /chunk HTTP/1.1\r\nHost: backend.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", false, 400);
    }

    @Test
    void oversizedChunkSizeIsRefused() throws Exception {
        refused("POST /chunk HTTP/1.1\r\nHost: backend.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n", false, 400);
    }

    @Test
    void negativeLookingChunkSizeIsRefused() throws Exception {
        refused("POST /chunk HTTP/1.1\r\nHost: backend.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "-5\r\nhello\r\n0\r\n\r\n", false, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "gzip, chunked", "identity", "deflate", "chunked\r\nTransfer-Encoding: chunked"})
    void transferCodingsOtherThanChunkedAreNeverForwarded(String coding) throws Exception {
        refused("POST /te HTTP/1.1\r\nHost: backend.test\r\nTransfer-Encoding: " + coding + "\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n", true, 400, 501);
    }

    @Test
    void transferCodingGzipThenChunkedIs501() throws Exception {
        refused("POST /te HTTP/1.1\r\nHost: backend.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n", true, 501);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "identity", "deflate"})
    void transferCodingsNotEndingInChunkedAre501(String coding) throws Exception {
        refused("POST /te HTTP/1.1\r\nHost: backend.test\r\nTransfer-Encoding: " + coding + "\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n", true, 501);
    }

    // ---- header syntax ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {" ", "\t"})
    void obsoleteLineFoldingIsRefused(String fold) throws Exception {
        refused("GET /fold HTTP/1.1\r\nHost: backend.test\r\nX-Folded: a\r\n" + fold + "b\r\n\r\n", true, 400);
    }

    @Test
    void foldedFirstHeaderLineIsRefused() throws Exception {
        refused("GET /fold HTTP/1.1\r\n Host: backend.test\r\n\r\n", true, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "X-Bad: a\u0000b",      // NUL in a value
            "X-B\u0000ad: b",       // NUL in a name
            "X-Bad: a\rb",          // bare CR in a value
            "X-B\rad: b",           // bare CR in a name
            "X-Bad: a\u0001b",      // other control byte in a value
            "X-Bad: a\u007fb",      // DEL in a value
            "X-B\u0001ad: b",       // control byte in a name
            ": empty-name"          // empty name (a separator such as "(" in a name is dropped instead, as
                                    // ignore_invalid_headers says: ConnectionDirectivesIT)
    })
    void invalidBytesInHeaderNamesAndValuesAreRefused(String line) throws Exception {
        refused("GET /bytes HTTP/1.1\r\nHost: backend.test\r\n" + line + "\r\n\r\n", true, 400);
    }

    /**
     * RFC 9112 section 2.2 lets a recipient take a lone LF as the end of the request line or of a
     * header line, and nginx does: the request is served, and what goes upstream is framed anew with
     * CRLF, so the two can never disagree about where a header ends.
     */
    @Test
    void bareLineFeedsEndLinesAndAreReframedUpstream() throws Exception {
        int before = backend.requests().size();
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("POST /lf HTTP/1.1\nHost: backend.test\nX-A: a\nX-B: b\n"
                    + "Content-Length: 5\n\nhello").read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(before + 1);
        HttpEchoBackend.Recorded got = backend.last();
        assertThat(got.uri()).isEqualTo("/lf");
        assertThat(got.headers().get("X-A")).isEqualTo("a");
        assertThat(got.headers().get("X-B")).isEqualTo("b");
        assertThat(got.bodyLength()).isEqualTo(5);
        normalRequestSucceeds();
    }

    /** Chunk framing is not a "line" of section 2.2: a lone LF there is the 2025 chunk-smuggling vector. */
    @ParameterizedTest
    @ValueSource(strings = {"5\nhello\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n", "5\r\nhello\r\n0\n\n"})
    void bareLineFeedsInChunkFramingAreRefused(String chunks) throws Exception {
        refused("POST /chunk HTTP/1.1\r\nHost: backend.test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks, false, 400);
    }

    @Test
    void whitespaceBeforeTheColonIsRefused() throws Exception {
        refused("GET /ws HTTP/1.1\r\nHost : evil.test\r\n\r\n", true, 400);
    }

    @Test
    void tabBeforeTheColonIsRefused() throws Exception {
        refused("GET /ws HTTP/1.1\r\nHost: backend.test\r\nX-A\t: b\r\n\r\n", true, 400);
    }

    @Test
    void missingHostOnHttp11IsRefused() throws Exception {
        refused("GET /nohost HTTP/1.1\r\nX-A: b\r\n\r\n", true, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.test/x", "a..b", "a b", "", "..", "evil.test:80/x"})
    void invalidHostHeadersAreRefused(String host) throws Exception {
        // nginx's ngx_http_validate_host: no '/', no "..", no bytes <= 0x20, not empty -> 400
        refused("GET /host HTTP/1.1\r\nHost: " + host + "\r\n\r\n", true, 400);
    }

    @Test
    void twoHostHeadersAreRefused() throws Exception {
        refused("GET /twohosts HTTP/1.1\r\nHost: backend.test\r\nHost: evil.test\r\n\r\n", true, 400);
    }

    // ---- request line -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "HELLO\r\n\r\n",
            "HELLO\r\nHost: backend.test\r\n\r\n",
            "GET /\r\n\r\n",
            "GET /\r\nHost: backend.test\r\n\r\n",
            "GET / HTTP/1.1 extra\r\nHost: backend.test\r\n\r\n",
            "GET / HTTP/1.x\r\nHost: backend.test\r\n\r\n",
            "GET / FOO/1.1\r\nHost: backend.test\r\n\r\n",
            "G\u0000T / HTTP/1.1\r\nHost: backend.test\r\n\r\n",
            "GET /a\u0000b HTTP/1.1\r\nHost: backend.test\r\n\r\n"
    })
    void garbageRequestLinesAreRefused(String request) throws Exception {
        refused(request, true, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/9.9", "HTTP/2.0", "HTTP/3.0"})
    void unsupportedHttpVersionsAreRefused(String version) throws Exception {
        refused("GET / " + version + "\r\nHost: backend.test\r\n\r\n", true, 400, 505);
    }

    @Test
    void binaryJunkIsRefused() throws Exception {
        Random random = new Random(7);
        ByteArrayOutputStream junk = new ByteArrayOutputStream();
        for (int i = 0; i < 300; i++) {
            int b = random.nextInt(256);
            junk.write(b == '\r' || b == '\n' ? 0x80 : b);
        }
        junk.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        refused(junk.toByteArray(), true, 400);
    }

    @Test
    void binaryJunkStartingWithAMethodIsRefused() throws Exception {
        byte[] junk = new byte[200];
        new Random(11).nextBytes(junk);
        for (int i = 0; i < junk.length; i++) {
            if (junk[i] == '\r' || junk[i] == '\n' || junk[i] == ' ') {
                junk[i] = (byte) 0xfe;
            }
        }
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes("GET /".getBytes(StandardCharsets.US_ASCII));
        req.writeBytes(junk);
        req.writeBytes(" HTTP/1.1\r\nHost: backend.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        refused(req.toByteArray(), true, 400);
    }

    @Test
    void tlsClientHelloOnThePlainPortIsRefused() throws Exception {
        byte[] hello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a};
        refused(hello, true, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "*", "example.test/path", "?x=1", "%2F", "ftp://backend.test/", "http:/x", "http://@evil.test/"})
    void targetsThatAreNotOriginOrAbsoluteFormAreRefused(String target) throws Exception {
        refused("GET " + target + " HTTP/1.1\r\nHost: backend.test\r\n\r\n", true, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E/etc/passwd", "/a/../../etc/passwd",
            "/%2e%2e%2fetc/passwd", "/./../etc/passwd", "/a/%2e%2e/%2e%2e/etc/passwd", "/..", "/%2e%2e"})
    void dotDotAboveTheRootIsRefused(String target) throws Exception {
        refused("GET " + target + " HTTP/1.1\r\nHost: backend.test\r\n\r\n", true, 400);
    }

    @Test
    void dotDotInsideTheRootIsNormalizedNotRefused() throws Exception {
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("GET /a/b/../c HTTP/1.1\r\nHost: backend.test\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
    }

    // ---- never an open proxy ------------------------------------------------------------------

    @Test
    void absoluteFormNamingAnotherHostGoesToTheConfiguredBackendOnly() throws Exception {
        int before = backend.requests().size();
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("GET http://evil.test/steal?x=1 HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(before + 1);
        HttpEchoBackend.Recorded rec = backend.last();
        assertThat(rec.headers().getAll("Host")).containsExactly("127.0.0.1:" + backend.port());
        assertThat(rec.uri()).isEqualTo("/steal?x=1");
        assertThat(elsewhereAccepts.get()).isZero();
        normalRequestSucceeds();
    }

    @Test
    void absoluteFormNamingAReachableHostIsNotConnectedTo() throws Exception {
        int before = backend.requests().size();
        String other = "127.0.0.1:" + elsewhere.getLocalPort();
        try (Raw raw = new Raw(port)) {
            RawHttpClient.Response r = raw.send("GET http://" + other + "/admin HTTP/1.1\r\nHost: " + other
                    + "\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(before + 1);
        assertThat(backend.last().headers().getAll("Host")).containsExactly("127.0.0.1:" + backend.port());
        assertThat(backend.last().uri()).isEqualTo("/admin");
        assertThat(elsewhereAccepts.get()).isZero();
    }

    @Test
    void connectMethodIsNotATunnel() throws Exception {
        int before = backend.requests().size();
        String other = "127.0.0.1:" + elsewhere.getLocalPort();
        try (Raw raw = new Raw(port, 5_000, -1)) {
            raw.send("CONNECT " + other + " HTTP/1.1\r\nHost: " + other + "\r\n\r\n");
            int status = raw.statusOrClosed();
            assertThat(status).isIn(-1, 400, 405);
        }
        assertThat(elsewhereAccepts.get()).isZero();
        assertThat(backend.requests()).hasSize(before);
        normalRequestSucceeds();
    }
}
