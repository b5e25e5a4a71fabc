package io.ferry.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.ErrorLogLines;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** listen ... proxy_protocol over real sockets: v1 and v2 headers, the variables, realip and access, broken headers. */
class ProxyProtocolIT {
    @RegisterExtension
    static final Closer closer = new Closer();
    @TempDir
    static Path prefix;
    static int port;
    static int slow;
    static List<String> errors;

    @BeforeAll
    static void start() throws Exception {
        Path html = Files.createDirectories(prefix.resolve("html"));
        Files.writeString(html.resolve("t"), "SEE-THIS");
        port = FerryInstance.freePort();
        slow = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    access_log off;
                    add_header X-IP $remote_addr!$remote_port;
                    add_header X-PP $proxy_protocol_addr!$proxy_protocol_port;
                    add_header X-PPS $proxy_protocol_server_addr!$proxy_protocol_server_port;
                    add_header X-TLV $proxy_protocol_tlv_alpn!$proxy_protocol_tlv_0x05;
                    server {
                        listen 127.0.0.1:%d proxy_protocol;
                        set_real_ip_from 127.0.0.1/32;
                        location / { }
                        location /pp {
                            real_ip_header proxy_protocol;
                            error_page 404 =200 /t;
                            location /pp/denied { deny 192.0.2.1; }
                        }
                    }
                    server {
                        listen 127.0.0.1:%d proxy_protocol;
                        client_header_timeout 1s;
                    }
                }
                """.formatted(port, slow)));
        errors = closer.add(ErrorLogLines.capture()).lines();
    }

    private static final String GET_T = "GET /t HTTP/1.0\r\nHost: a\r\n\r\n";

    private static RawHttpClient.Response send(byte[] header, String request) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send(concat(header, request.getBytes(StandardCharsets.ISO_8859_1))).read();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static byte[] v1(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A v2 PROXY header over IPv4 192.0.2.1:123 -> 192.0.2.2:5678, with {@code tlvs} after the addresses. */
    private static byte[] v2(int family, byte[] tlvs) {
        ByteBuffer b = ByteBuffer.allocate(16 + 12 + tlvs.length);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, (byte) family});
        b.putShort((short) (12 + tlvs.length));
        b.put(new byte[] {(byte) 192, 0, 2, 1, (byte) 192, 0, 2, 2}).putShort((short) 123).putShort((short) 5678).put(tlvs);
        return b.array();
    }

    @Test
    void v1GivesTheProxiedAddressesWhileTheClientStaysThePeer() throws Exception {
        RawHttpClient.Response r = send(v1("PROXY TCP4 192.0.2.1 192.0.2.2 123 5678"), GET_T);
        assertThat(r.text()).isEqualTo("SEE-THIS");
        assertThat(r.header("X-PP")).isEqualTo("192.0.2.1!123");
        assertThat(r.header("X-PPS")).isEqualTo("192.0.2.2!5678");
        assertThat(r.header("X-IP")).startsWith("127.0.0.1!");
        assertThat(send(v1("PROXY TCP6 2001:Db8::1 2001:Db8::2 123 5678"), GET_T).header("X-PP")).isEqualTo("2001:Db8::1!123");
        assertThat(send(v1("PROXY UNKNOWN"), GET_T).header("X-PP")).isEqualTo("!");
    }

    @Test
    void v2GivesAddressesAndTlvs() throws Exception {
        byte[] tlvs = {0x01, 0, 2, 'h', '2', 0x05, 0, 3, 'i', 'd', '1'};
        RawHttpClient.Response r = send(v2(0x11, tlvs), GET_T);
        assertThat(r.header("X-PP")).isEqualTo("192.0.2.1!123");
        assertThat(r.header("X-PPS")).isEqualTo("192.0.2.2!5678");
        assertThat(r.header("X-TLV")).isEqualTo("h2!id1");
    }

    @Test
    void aV2FamilyWithoutTcpAddressesIsTakenButNamesNoOne() throws Exception {
        RawHttpClient.Response r = send(v2(0x12, new byte[0]), GET_T);
        assertThat(r.text()).isEqualTo("SEE-THIS");
        assertThat(r.header("X-PP")).isEqualTo("!");
        assertThat(send(v2(0x41, new byte[0]), GET_T).header("X-PPS")).isEqualTo("!");
    }

    @Test
    void theHeaderMayArriveAloneBeforeTheRequest() throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send(v1("PROXY TCP4 192.0.2.1 192.0.2.2 123 5678"));
            Thread.sleep(200);
            assertThat(c.send(GET_T).read().header("X-PP")).isEqualTo("192.0.2.1!123");
        }
    }

    @Test
    void realIpTakesTheClientAndItsPortAndAccessJudgesIt() throws Exception {
        assertThat(send(v1("PROXY TCP4 192.0.2.9 192.0.2.2 123 5678"), "GET /pp HTTP/1.0\r\n\r\n").header("X-IP"))
                .isEqualTo("192.0.2.9!123");
        assertThat(send(v1("PROXY TCP6 2001:Db8::1 2001:Db8::2 123 5678"), "GET /pp HTTP/1.0\r\n\r\n").header("X-IP"))
                .isEqualTo("2001:db8::1!123");
        assertThat(send(v1("PROXY TCP4 192.0.2.1 192.0.2.2 123 5678"), "GET /pp/denied HTTP/1.0\r\n\r\n").status())
                .isEqualTo(403);
        assertThat(send(v1("PROXY TCP4 192.0.2.7 192.0.2.2 123 5678"), "GET /pp/denied HTTP/1.0\r\n\r\n").status())
                .isEqualTo(200);
    }

    @Test
    void aMissingOrBrokenHeaderClosesTheConnectionWithAnErrorLine() throws Exception {
        errors.clear();
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.send(GET_T).closedByPeer()).isTrue();
        }
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertThat(c.send(v1("PROXY TCP4 192.0.2.1 nonsense 123 5678")).closedByPeer()).isTrue();
        }
        // the connection may close before its line is written
        for (int i = 0; i < 50 && errors.size() < 2; i++) {
            Thread.sleep(20);
        }
        assertThat(errors).containsExactlyInAnyOrder(
                "broken header: \"GET /t HTTP/1.0\" while reading PROXY protocol, client: 127.0.0.1, server: 127.0.0.1:" + port,
                "broken header: \"PROXY TCP4 192.0.2.1 nonsense 123 5678\" while reading PROXY protocol, client: 127.0.0.1, server: 127.0.0.1:" + port);
    }

    @Test
    void theHeaderMustArriveWithinClientHeaderTimeout() throws Exception {
        try (RawHttpClient c = new RawHttpClient(slow)) {
            long start = System.nanoTime();
            assertThat(c.send("PROXY TCP4 192.0.2.1").closedByPeer()).isTrue();
            assertThat(System.nanoTime() - start).isBetween(800_000_000L, 10_000_000_000L);
        }
    }
}
