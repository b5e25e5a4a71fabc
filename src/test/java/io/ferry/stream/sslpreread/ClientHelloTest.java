package io.ferry.stream.sslpreread;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

class ClientHelloTest {
    /** The JDK's own ClientHello with SNI and ALPN: a real client's bytes. */
    private static byte[] jdkHello(String host, String... alpn) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        if (host != null) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        params.setApplicationProtocols(alpn);
        engine.setSSLParameters(params);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void readsSniAlpnAndVersionOfARealHello() throws Exception {
        byte[] hello = jdkHello("foo.example", "h2", "http/1.1");
        ClientHello h = new ClientHello();
        assertEquals(ClientHello.Result.DONE, h.read(hello, hello.length));
        assertEquals("foo.example", h.serverName());
        assertEquals("h2,http/1.1", h.alpnProtocols());
        assertEquals("TLSv1.3", h.protocol());
    }

    @Test
    void byteByByteIsTheSameAsAtOnce() throws Exception {
        byte[] hello = jdkHello("bar");
        ClientHello h = new ClientHello();
        for (int n = 1; n < hello.length; n++) {
            assertEquals(ClientHello.Result.AGAIN, h.read(hello, n));
        }
        assertEquals(ClientHello.Result.DONE, h.read(hello, hello.length));
        assertEquals("bar", h.serverName());
        assertEquals("", h.alpnProtocols());
    }

    @Test
    void withoutSniTheNameIsEmpty() throws Exception {
        byte[] hello = jdkHello(null);
        ClientHello h = new ClientHello();
        assertEquals(ClientHello.Result.DONE, h.read(hello, hello.length));
        assertEquals("", h.serverName());
    }

    @Test
    void notAHandshake() {
        byte[] x = "xxxxxxxx".getBytes();
        assertEquals(ClientHello.Result.NOT_TLS, new ClientHello().read(x, x.length));
        byte[] shortOne = {0x16, 3};
        assertEquals(ClientHello.Result.AGAIN, new ClientHello().read(shortOne, shortOne.length));
    }

    /** nginx's test: a hello whose second record splits the server name ("foo" + "f"). */
    @Test
    void helloSplitAcrossRecordsInsideTheName() {
        byte[] r = HexFormat.of().parseHex("160301003b010000380303ac8c8678a0aa1e7eed3644eed6c3bd2c697bc7deda249db0e30c339ebaa80b7600"
                + "000200000100000d000000090007000004666f6f160301000166");
        ClientHello h = new ClientHello();
        assertEquals(ClientHello.Result.DONE, h.read(r, r.length));
        assertEquals("foof", h.serverName());
    }

    /** nginx's test: the record's version is SSLv3, the hello is read all the same. */
    @Test
    void olderRecordVersion() {
        byte[] r = HexFormat.of().parseHex("1603000038010000340303eb6357cdbaa6b8d853f1f6ac0fdf03178c0ae41824e76436823c1b273fbfde4b00"
                + "000000000c000000080006000003666f6f");
        ClientHello h = new ClientHello();
        assertEquals(ClientHello.Result.DONE, h.read(r, r.length));
        assertEquals("foo", h.serverName());
        assertEquals("TLSv1.2", h.protocol());
    }

    /** nginx's test: a hello whose length is shorter than its extensions is refused. */
    @Test
    void shortHelloIsNotTls() {
        byte[] r = HexFormat.of().parseHex("1603010038010000330303eb6357cdbaa6b8d853f1f6ac0fdf03178c0ae41824e76436823c1b273fbfde4b00"
                + "000000000c000000080006000003666f6f");
        assertEquals(ClientHello.Result.NOT_TLS, new ClientHello().read(r, r.length));
    }
}
