package io.ferry.variable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A map's value is found once per request, internal redirects included, unless the map is volatile
 * (the redirected request finds no file, so the 404 carries the header: always).
 */
@Timeout(60)
class MapCachingIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.start("""
                events { }
                http {
                    map $uri $kept { /1/ /1/redirect; /1/redirect again; }
                    map $uri $fresh { volatile; /2/ /2/redirect; /2/redirect again; }
                    map $args $volatile_key { volatile yes; default no; }
                    server {
                        listen 127.0.0.1:%d;
                        location = /1/ { set $seen $kept; rewrite ^ /1/redirect last; }
                        location /1/redirect { add_header X-Map $kept always; }
                        location = /2/ { set $seen $fresh; rewrite ^ /2/redirect last; }
                        location /2/redirect { add_header X-Map $fresh always; }
                        location /key { return 200 $volatile_key; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response get(String target) throws Exception {
        return ferry.get(target);
    }

    @Test
    void aMapKeepsTheValueItFirstFoundAcrossAnInternalRedirect() throws Exception {
        assertThat(get("/1/").header("X-Map")).isEqualTo("/1/redirect");
    }

    @Test
    void aVolatileMapLooksAgain() throws Exception {
        assertThat(get("/2/").header("X-Map")).isEqualTo("again");
    }

    @Test
    void volatileWithAValueIsAnOrdinaryKey() throws Exception {
        assertThat(get("/key?volatile").text()).isEqualTo("yes");
        assertThat(get("/key?x").text()).isEqualTo("no");
    }
}
