package io.ferry.module.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.Closer;
import io.ferry.testing.FerryInstance;
import io.ferry.testing.RawHttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** set on a prefixed variable ($http_foo): its value where set ran, the header's elsewhere, for templates and SSI alike. */
@Timeout(60)
class SetFamilyVariableIT {
    @TempDir
    static Path prefix;
    @RegisterExtension
    static final Closer closer = new Closer();
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = FerryInstance.freePort();
        closer.add(FerryInstance.start(prefix, """
                http {
                    server {
                        listen 127.0.0.1:%d;
                        ssi on;
                        location /ssi-set { set $http_foo "assigned"; return 200 'X<!--#echo var="http_foo" -->X'; }
                        location /ssi-unset { return 200 'X<!--#echo var="http_foo" -->X'; }
                        location /unset { return 200 "X${http_foo}X"; }
                        location /other { set $http_foo "elsewhere"; }
                    }
                }
                """.formatted(port)));
    }

    private static String body(String uri) throws Exception {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send("GET " + uri + " HTTP/1.0\r\nFoo: header\r\n\r\n").read().text();
        }
    }

    @Test
    void theAssignedValueWinsWhereSetRan() throws Exception {
        assertThat(body("/ssi-set.html")).isEqualTo("XassignedX");
    }

    @Test
    void elsewhereTheHeaderIsTheValue() throws Exception {
        assertThat(body("/ssi-unset.html")).isEqualTo("XheaderX");
        assertThat(body("/unset")).isEqualTo("XheaderX");
    }
}
