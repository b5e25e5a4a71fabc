package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.ClientTimeouts.KeepaliveDisable;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keepalive_disable: nginx's default, its bit mask of values, inheritance, errors. */
class KeepaliveDisableConfigTest {
    @TempDir
    Path dir;

    private static Location location(VirtualServer vs, String path) {
        return vs.locations().stream().filter(l -> l.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void defaultIsMsie6() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("server { listen 8080; location / { } }");
        assertThat(location(vs, "/").settings().clientTimeouts().keepaliveDisable()).containsExactly(KeepaliveDisable.MSIE6);
    }

    @Test
    void valuesCombineAndNoneNamesNoBrowser() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                server { listen 8080;
                    location /none/ { keepalive_disable none; }
                    location /both/ { keepalive_disable msie6 SAFARI; }
                    location /lines/ { keepalive_disable safari; keepalive_disable msie6; }
                    location /safari/ { keepalive_disable safari; }
                }""");
        assertThat(location(vs, "/none/").settings().clientTimeouts().keepaliveDisable()).isEmpty();
        assertThat(location(vs, "/both/").settings().clientTimeouts().keepaliveDisable())
                .containsExactlyInAnyOrder(KeepaliveDisable.MSIE6, KeepaliveDisable.SAFARI);
        assertThat(location(vs, "/lines/").settings().clientTimeouts().keepaliveDisable())
                .containsExactlyInAnyOrder(KeepaliveDisable.MSIE6, KeepaliveDisable.SAFARI);
        assertThat(location(vs, "/safari/").settings().clientTimeouts().keepaliveDisable())
                .containsExactly(KeepaliveDisable.SAFARI);
    }

    @Test
    void inheritedUntilALevelWritesItsOwn() throws Exception {
        VirtualServer vs = new ConfigText(dir).server("""
                keepalive_disable none;
                server { listen 8080; keepalive_disable safari;
                    location /a/ { }
                    location /b/ { keepalive_disable msie6; location /b/c/ { } }
                }""");
        assertThat(vs.fallback().clientTimeouts().keepaliveDisable()).containsExactly(KeepaliveDisable.SAFARI);
        assertThat(location(vs, "/a/").settings().clientTimeouts().keepaliveDisable()).containsExactly(KeepaliveDisable.SAFARI);
        Location b = location(vs, "/b/");
        assertThat(b.settings().clientTimeouts().keepaliveDisable()).containsExactly(KeepaliveDisable.MSIE6);
        assertThat(b.nested().get(0).settings().clientTimeouts().keepaliveDisable()).containsExactly(KeepaliveDisable.MSIE6);
    }

    @Test
    void unknownValuesAndMissingArgumentsAreRefused() throws Exception {
        ConfigText c = new ConfigText(dir);
        assertThat(c.httpError("server { keepalive_disable msie7; }").getMessage()).contains("invalid value \"msie7\"");
        assertThat(c.httpError("keepalive_disable none opera; server { }").getMessage()).contains("invalid value \"opera\"");
        assertThat(c.httpError("server { location / { keepalive_disable; } }").getMessage())
                .contains("invalid number of arguments");
        assertThat(c.httpError("server { if ($uri) { keepalive_disable none; } }").getMessage())
                .contains("\"keepalive_disable\" directive is not allowed here");
    }
}
