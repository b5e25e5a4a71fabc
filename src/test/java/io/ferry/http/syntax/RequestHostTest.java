package io.ferry.http.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHostTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "L|l",
            "abcd-ef.g02.xyz:|abcd-ef.g02.xyz",
            "www.Example.COM.|www.example.com",
            "example.com.:88|example.com",
            "123.49.0.78:65535|123.49.0.78",
            "[abcd::EF98:0:7654:321]:80|[abcd::ef98:0:7654:321]",
            "[v1F.!$&'()*+,;=-._~:]|[v1f.!$&'()*+,;=-._~:]",
            "under_score.test|under_score.test"})
    void hostHeaderIsNormalized(String raw, String expected) {
        assertThat(RequestHost.of(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", ":80", "..a.com", "a..b", "example.com/\\:552", "a b", "a\u0002",
            "example.com.:1.2", "123.49.0.78:98777", "1.2.3.4:9000:80", "[::1].", "[::1].:98", "[::1]..:98",
            "extra[abcd::1]:98", "[abcd::1", "[ab\\cd::1]", "[::1]x"})
    void hostHeaderIsRefused(String raw) {
        assertThat(RequestHost.of(raw)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\e", "under_score.test", "user@host", "a!b"})
    void requestLineAdmitsFewerBytesThanAHeader(String raw) {
        assertThat(RequestHost.ofRequestLine(raw)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"AbC-d93.0.34ZhGt-s.nk.Ru|abc-d93.0.34zhgt-s.nk.ru", "[::ffff:12.30.67.89]:4321|[::ffff:12.30.67.89]"})
    void requestLineHostIsNormalized(String raw, String expected) {
        assertThat(RequestHost.ofRequestLine(raw)).isEqualTo(expected);
    }
}
