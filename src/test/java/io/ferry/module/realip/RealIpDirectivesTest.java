package io.ferry.module.realip;

import io.ferry.testing.ConfigText;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.VirtualServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** set_real_ip_from, real_ip_header and real_ip_recursive: defaults, inheritance and nginx's errors. */
class RealIpDirectivesTest {
    @TempDir
    Path dir;

    private VirtualServer server(String http) throws Exception {
        return new ConfigText(dir).server(http);
    }

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorLine(http);
    }

    @Test
    void defaultsTrustNobodyAndReadXRealIp() throws Exception {
        RealIp r = server("server { listen 8080; }").fallback().module(RealIpModule.SETTINGS);
        assertThat(r.trusted()).isEmpty();
        assertThat(r.header()).isEqualTo("X-Real-IP");
        assertThat(r.recursive()).isFalse();
    }

    @Test
    void theServerInheritsFromHttpAndAnOwnListReplacesTheInheritedOne() throws Exception {
        VirtualServer vs = server("""
                set_real_ip_from 10.0.0.0/8;
                set_real_ip_from 192.0.2.1;
                real_ip_header X-Forwarded-For;
                real_ip_recursive on;
                server { listen 8080; }
                server { listen 8081; set_real_ip_from ::1; real_ip_recursive off; }
                """);
        RealIp inherited = vs.fallback().module(RealIpModule.SETTINGS);
        assertThat(inherited.trusted()).hasSize(2);
        assertThat(inherited.header()).isEqualTo("X-Forwarded-For");
        assertThat(inherited.recursive()).isTrue();

        Path conf = dir.resolve("ferry.conf");
        RealIp own = ConfigLoader.load(dir, conf, null).config().http().servers().get(1).fallback().module(RealIpModule.SETTINGS);
        assertThat(own.trusted()).hasSize(1);
        assertThat(own.header()).isEqualTo("X-Forwarded-For");
        assertThat(own.recursive()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            set_real_ip_from unix:;           | unix domain sockets are not supported in "set_real_ip_from":4
            set_real_ip_from 1.2.3;           | invalid parameter "1.2.3":4
            set_real_ip_from 10.0.0.0/40;     | invalid parameter "10.0.0.0/40":4
            real_ip_recursive yes;            | invalid value "yes" in "real_ip_recursive" directive, it must be "on" or "off":4
            real_ip_header;                   | invalid number of arguments in "real_ip_header" directive:4
            """)
    void nginxsErrors(String line, String expected) throws Exception {
        assertThat(error("server {\n listen 8080;\n " + line + "\n}")).isEqualTo(expected);
    }

    @Test
    void aBadFlagAtHttpLevelIsReportedWhereItIsWritten() throws Exception {
        assertThat(error("real_ip_recursive maybe;\nserver { listen 8080; }"))
                .isEqualTo("invalid value \"maybe\" in \"real_ip_recursive\" directive, it must be \"on\" or \"off\":2");
    }
}
