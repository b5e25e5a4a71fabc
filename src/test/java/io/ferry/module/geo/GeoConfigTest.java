package io.ferry.module.geo;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** geo blocks through the configuration loader: what loads, and nginx's errors with their lines. */
class GeoConfigTest {
    @TempDir
    Path dir;

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorAt(http);
    }

    @Test
    void aGeoVariableIsUsableWhereverVariablesAre() throws Exception {
        new ConfigText(dir).server("""
                geo $arg_ip $country { default ZZ; 192.0.2.0/24 EX; 2001:db8::/32 DOC; delete 192.0.2.0/24; proxy 10.0.0.0/8; proxy_recursive; }
                map $country $c { default $country; }
                geo $r { ranges; 10.0.0.0-10.0.0.255 a; delete 10.0.0.0-10.0.0.255; }
                server { listen 8080; location / { return 200 "$country $c $r"; } }
                """);
    }

    @Test
    void badEntriesAreRefusedWithNginxsMessages() throws Exception {
        assertThat(error("geo country { }")).isEqualTo("invalid variable name \"country\":1");
        assertThat(error("geo $g {\n 192.0.2.0/33 x;\n}")).isEqualTo("invalid network \"192.0.2.0/33\":2");
        assertThat(error("geo $g {\n example.com x;\n}")).isEqualTo("invalid network \"example.com\":2");
        assertThat(error("geo $g {\n 192.0.2.0/24 x y;\n}")).isEqualTo("invalid number of the geo parameters:2");
        assertThat(error("geo $g {\n default x;\n ranges;\n}"))
                .isEqualTo("the \"ranges\" directive must be the first directive inside \"geo\" block:3");
        assertThat(error("geo $g {\n ranges;\n 10.0.0.9-10.0.0.1 x;\n}")).isEqualTo("invalid range \"10.0.0.9-10.0.0.1\":3");
        assertThat(error("geo $g {\n ranges;\n 10.0.0.0/8 x;\n}")).isEqualTo("invalid range \"10.0.0.0/8\":3");
        assertThat(error("geo $g {\n ranges;\n 10.0.0.0-10.0.0.9 x;\n 10.0.0.5-10.0.0.20 y;\n}"))
                .isEqualTo("range \"10.0.0.5-10.0.0.20\" overlaps \"10.0.0.0-10.0.0.9\":4");
        assertThat(error("geo $g {\n proxy 10.0.0.300;\n}")).isEqualTo("invalid network \"10.0.0.300\":2");
    }
}
