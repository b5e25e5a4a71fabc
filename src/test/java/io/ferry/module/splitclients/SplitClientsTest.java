package io.ferry.module.splitclients;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ConfigText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** split_clients: nginx's MurmurHash2, and the shares' checks through the configuration loader. */
class SplitClientsTest {
    @TempDir
    Path dir;

    private static long hash(String key) {
        return SplitClients.murmurHash2(key.getBytes(StandardCharsets.ISO_8859_1)) & 0xffffffffL;
    }

    /** Values of nginx's own ngx_murmur_hash2 (src/core/ngx_murmurhash.c) for these keys. */
    @Test
    void murmurHash2IsNginxs() {
        assertThat(hash("")).isEqualTo(0L);
        assertThat(hash("a")).isEqualTo(2456313694L);
        assertThat(hash("ab")).isEqualTo(446775395L);
        assertThat(hash("abc")).isEqualTo(324500635L);
        assertThat(hash("abcd")).isEqualTo(646393889L);
        assertThat(hash("1")).isEqualTo(1228156847L);
        assertThat(hash("20")).isEqualTo(3866958504L);
        assertThat(hash("127.0.0.1")).isEqualTo(3054706065L);
        assertThat(hash("hello, world")).isEqualTo(1263312256L);
    }

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorAt(http);
    }

    @Test
    void sharesAreCheckedAsNginxDoes() throws Exception {
        new ConfigText(dir).server("""
                split_clients "${remote_addr}x" $variant { 0.5% a; 49.50% b; * c; }
                server { listen 8080; location / { return 200 $variant; } }
                """);
        assertThat(error("split_clients $uri v { * a; }")).isEqualTo("invalid variable name \"v\":1");
        assertThat(error("split_clients $uri $v {\n 1.005% a;\n}")).isEqualTo("invalid percent value \"1.005%\":2");
        assertThat(error("split_clients $uri $v {\n 0% a;\n}")).isEqualTo("invalid percent value \"0%\":2");
        assertThat(error("split_clients $uri $v {\n 10 a;\n}")).isEqualTo("invalid percent value \"10\":2");
        assertThat(error("split_clients $uri $v {\n 60% a;\n 50% b;\n}")).isEqualTo("percent total is greater than 100%:3");
        assertThat(error("split_clients $uri $v {\n 60% a b;\n}")).isEqualTo("invalid number of the split_clients parameters:2");
    }
}
