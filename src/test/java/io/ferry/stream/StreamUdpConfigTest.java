package io.ferry.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** listen ... udp, proxy_responses and proxy_requests: what each server gets, and errors with file:line. */
class StreamUdpConfigTest {
    @TempDir
    Path dir;

    private List<StreamServer> servers(String stream) throws Exception {
        return new ConfigText(dir).load("stream {\n" + stream + "\n}\n").stream().servers();
    }

    @Test
    void udpListensAreKeptApartFromTcpOnesAndMayShareTheirPort() throws Exception {
        StreamServer s = servers("server { listen 127.0.0.1:9000; listen 127.0.0.1:9000 udp reuseport; return x; }").get(0);
        assertThat(s.listens()).hasSize(1);
        assertThat(s.udp().listens()).hasSize(1);
        assertThat(s.udp().listens().get(0).socket().reuseport()).isTrue();
    }

    @Test
    void aServerMayListenOnUdpOnly() throws Exception {
        StreamServer s = servers("server { listen 127.0.0.1:9000 udp; return x; }").get(0);
        assertThat(s.listens()).isEmpty();
        assertThat(s.udp().listens()).hasSize(1);
    }

    @Test
    void responsesAndRequestsAreUnlimitedByDefaultAndInherited() throws Exception {
        List<StreamServer> s = servers("""
                proxy_responses 2;
                server { listen 127.0.0.1:9000 udp; proxy_pass 127.0.0.1:7000; }
                server { listen 127.0.0.1:9001 udp; proxy_pass 127.0.0.1:7000; proxy_responses 0; proxy_requests 3; }
                """);
        assertThat(s.get(0).udp().responses()).isEqualTo(2);
        assertThat(s.get(0).udp().requests()).isZero();
        assertThat(s.get(1).udp().responses()).isZero();
        assertThat(s.get(1).udp().requests()).isEqualTo(3);
        StreamServer plain = servers("server { listen 127.0.0.1:9000 udp; proxy_pass 127.0.0.1:7000; }").get(0);
        assertThat(plain.udp().responses()).isEqualTo(-1);
        assertThat(plain.udp().requests()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "server { listen 127.0.0.1:9000 udp ssl; return x; }|\"ssl\" parameter is incompatible with \"udp\"|2",
            "server { listen 127.0.0.1:9000 udp proxy_protocol; return x; }|\"proxy_protocol\" parameter is incompatible with \"udp\"|2",
            "server { listen 127.0.0.1:9000 udp backlog=5; return x; }|\"backlog\" parameter is incompatible with \"udp\"|2",
            "server { listen 127.0.0.1:9000 udp so_keepalive=on; return x; }|\"so_keepalive\" parameter is incompatible with \"udp\"|2",
            "server { listen unix:/tmp/s.sock udp; return x; }|invalid parameter \"udp\"|2",
            "server { listen 127.0.0.1:9000 udp; proxy_pass 127.0.0.1:7000; proxy_protocol on; }|\"proxy_protocol\" is not supported with \"listen ... udp\"|2",
            "server { listen 127.0.0.1:9000 udp; proxy_pass unix:/tmp/u.sock; }|unix domain sockets are not supported with \"listen ... udp\"|2",
            "proxy_upload_rate 1k; server { listen 127.0.0.1:9000 udp; proxy_pass 127.0.0.1:7000; }|\"proxy_upload_rate\" is not supported with \"listen ... udp\"|2",
            "server { listen 127.0.0.1:9000 udp; return x; proxy_responses many; }|invalid number \"many\"|2",
            "server { listen 127.0.0.1:9000 udp; return x; proxy_requests -1; }|invalid number \"-1\"|2",
            "server { listen 127.0.0.1:9000 udp; return x; }\\nserver { listen 127.0.0.1:9000 udp; return y; }|duplicate \"127.0.0.1:9000\" address and port pair|3",
    })
    void errorsNameTheLine(String stream, String detail, int line) throws Exception {
        ConfException e = new ConfigText(dir).error("stream {\n" + stream.replace("\\n", "\n") + "\n}\n");
        assertThat(e.detail()).isEqualTo(detail);
        assertThat(e.line()).isEqualTo(line);
    }
}
