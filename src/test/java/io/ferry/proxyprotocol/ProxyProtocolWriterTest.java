package io.ferry.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.local.LocalAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ProxyProtocolWriterTest {
    @Test
    void theLineNamesTheClientThenTheListeningSocket() {
        assertThat(ProxyProtocolWriter.line(new InetSocketAddress("192.0.2.1", 123), new InetSocketAddress("192.0.2.2", 80)))
                .isEqualTo("PROXY TCP4 192.0.2.1 192.0.2.2 123 80\r\n");
        assertThat(ProxyProtocolWriter.line(new InetSocketAddress("2001:db8:0:0:0:0:0:1", 123), new InetSocketAddress("::1", 80)))
                .isEqualTo("PROXY TCP6 2001:db8::1 ::1 123 80\r\n");
        assertThat(ProxyProtocolWriter.line(new LocalAddress("x"), new InetSocketAddress("::1", 80)))
                .isEqualTo("PROXY UNKNOWN\r\n");
    }
}
