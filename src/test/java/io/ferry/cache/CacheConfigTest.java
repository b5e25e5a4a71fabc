package io.ferry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_cache_path and the proxy_cache family: defaults, inheritance and nginx's errors. */
class CacheConfigTest {
    @TempDir
    Path dir;

    private CachePolicy policy(String httpBody, String path) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(httpBody);
        for (Location l : vs.locations()) {
            if (l.path().equals(path)) {
                CacheModule.Policies p = l.settings().module(CacheModule.SETTINGS);
                return p == null ? null : p.byProtocol().get(HttpCache.Protocol.PROXY);
            }
        }
        throw new AssertionError("no location " + path);
    }

    private String error(String httpBody) throws Exception {
        return new ConfigText(dir).httpError(httpBody).detail();
    }

    @Test
    void defaultsAndNginxsPlacementOfFiles() throws Exception {
        CachePolicy p = policy("""
                proxy_cache_path cache levels=1:2 keys_zone=one:1m;
                server { listen 8080; proxy_cache one;
                    location / { proxy_pass http://127.0.0.1:8081; }
                    location /off { proxy_pass http://127.0.0.1:8081; proxy_cache off; }
                }
                """, "/");
        assertThat(p.zone().name()).isEqualTo("one");
        assertThat(p.zone().inactive()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.zone().maxSize()).isZero();
        assertThat(p.zone().capacity()).isEqualTo(8192);
        assertThat(p.key().text()).isEqualTo("$scheme$proxy_host$request_uri");
        assertThat(p.methods()).isEqualTo(Set.of("GET", "HEAD"));
        assertThat(p.minUses()).isEqualTo(1);
        assertThat(p.convertHead()).isTrue();
        assertThat(p.validFor(200)).isZero();
        // nginx's example: /data/nginx/cache/c/29/b7f54b2df7773722d382f4809d65029c
        assertThat(p.zone().file("b7f54b2df7773722d382f4809d65029c"))
                .isEqualTo(dir.resolve("cache/c/29/b7f54b2df7773722d382f4809d65029c"));
        assertThat(policy("""
                proxy_cache_path cache keys_zone=one:1m;
                server { listen 8080; proxy_cache one;
                    location /off { proxy_pass http://127.0.0.1:8081; proxy_cache off; }
                }
                """, "/off")).isNull();
    }

    @Test
    void validTimesMethodsAndPredicatesAreInheritedWhole() throws Exception {
        CachePolicy p = policy("""
                proxy_cache_path cache keys_zone=one:1m inactive=1h max_size=10m use_temp_path=off;
                proxy_cache one;
                proxy_cache_valid 5m;
                proxy_cache_valid 404 any 1m;
                proxy_cache_methods POST;
                proxy_cache_min_uses 3;
                proxy_cache_key $uri;
                proxy_cache_bypass $arg_a $arg_b;
                proxy_no_cache $arg_c;
                server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; proxy_cache_convert_head off; } }
                """, "/");
        assertThat(p.zone().inactive()).isEqualTo(Duration.ofHours(1));
        assertThat(p.zone().maxSize()).isEqualTo(10 << 20);
        assertThat(p.validFor(200)).isEqualTo(300_000);
        assertThat(p.validFor(302)).isEqualTo(300_000);
        assertThat(p.validFor(404)).isEqualTo(60_000);
        assertThat(p.validFor(500)).isEqualTo(60_000);
        assertThat(p.methods()).isEqualTo(Set.of("GET", "HEAD", "POST"));
        assertThat(p.minUses()).isEqualTo(3);
        assertThat(p.key().text()).isEqualTo("$uri");
        assertThat(p.bypass()).hasSize(2);
        assertThat(p.noCache()).hasSize(1);
        assertThat(p.convertHead()).isFalse();
    }

    @Test
    void zoneWithVariablesIsChosenPerRequest() throws Exception {
        CachePolicy p = policy("""
                proxy_cache_path cache keys_zone=one:1m;
                server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; proxy_cache $arg_c; } }
                """, "/");
        assertThat(p.zone()).isNull();
        assertThat(p.zones()).containsKey("one");
    }

    @Test
    void managerAndLoaderPaceAsNginxByDefault() throws Exception {
        String server = "server { listen 8080; proxy_cache one; location / { proxy_pass http://127.0.0.1:8081; } }";
        CacheZone z = policy("proxy_cache_path cache keys_zone=one:1m;" + server, "/").zone();
        assertThat(z.minFree()).isZero();
        assertThat(z.manager()).isEqualTo(new CacheZone.Pacing(100, 50, 200));
        assertThat(z.loader()).isEqualTo(new CacheZone.Pacing(100, 50, 200));
        z = policy("""
                proxy_cache_path cache keys_zone=one:1m min_free=10m manager_files=10 manager_sleep=1s
                    manager_threshold=100ms loader_files=1000 loader_sleep=5ms loader_threshold=1s;
                """ + server, "/").zone();
        assertThat(z.minFree()).isEqualTo(10 * 1024 * 1024);
        assertThat(z.manager()).isEqualTo(new CacheZone.Pacing(10, 1000, 100));
        assertThat(z.loader()).isEqualTo(new CacheZone.Pacing(1000, 5, 1000));
    }

    @Test
    void errorsAsNginx() throws Exception {
        assertThat(error("proxy_cache_path cache levels=1:2;"))
                .startsWith("\"proxy_cache_path\" must have \"keys_zone\" parameter");
        assertThat(error("proxy_cache_path cache levels=1:3 keys_zone=a:1m;")).startsWith("invalid \"levels\" \"1:3\"");
        assertThat(error("proxy_cache_path cache keys_zone=a:1m purger=on;"))
                .startsWith("invalid parameter \"purger=on\"");
        assertThat(error("proxy_cache_path cache keys_zone=a:1m manager_naps=1;"))
                .startsWith("invalid parameter \"naps\"");
        assertThat(error("proxy_cache_path cache keys_zone=a:1m loader_files=0;")).contains("invalid number");
        assertThat(error("proxy_cache_path a keys_zone=a:1m; proxy_cache_path b keys_zone=a:1m;"))
                .startsWith("duplicate zone \"a\"");
        assertThat(error("proxy_cache nope; server { listen 8080; }"))
                .startsWith("\"proxy_cache\" zone \"nope\" is unknown");
        assertThat(error("proxy_cache_path a keys_zone=a:1m; proxy_cache a; proxy_cache_valid 20x 1m; server { listen 8080; }"))
                .startsWith("invalid status \"20x\"");
        assertThat(error("proxy_cache_path a keys_zone=a:1m; proxy_cache a; proxy_cache_methods PUT; server { listen 8080; }"))
                .startsWith("invalid value \"PUT\"");
        assertThat(error("server { listen 8080; proxy_cache_path a keys_zone=a:1m; }"))
                .contains("\"proxy_cache_path\" directive is not allowed here");
    }

    @Test
    void useStaleDefaultsOffAndIsInheritedWhole() throws Exception {
        String conf = """
                proxy_cache_path cache keys_zone=one:1m;
                proxy_cache one;
                proxy_cache_use_stale error http_503 updating;
                server { listen 8080;
                    location / { proxy_pass http://127.0.0.1:8081; }
                    location /off { proxy_pass http://127.0.0.1:8081; proxy_cache_use_stale off;
                        proxy_ignore_headers Cache-Control; }
                }
                """;
        StaleUse inherited = policy(conf, "/").stale();
        assertThat(inherited.conditions()).containsExactlyInAnyOrder(
                io.ferry.upstream.NextUpstream.Condition.ERROR, io.ferry.upstream.NextUpstream.Condition.HTTP_503);
        assertThat(inherited.updating()).isTrue();
        assertThat(inherited.honourCacheControl()).isTrue();
        StaleUse off = policy(conf, "/off").stale();
        assertThat(off.conditions()).isEmpty();
        assertThat(off.updating()).isFalse();
        assertThat(off.honourCacheControl()).isFalse();
        assertThat(error("proxy_cache_path a keys_zone=a:1m; proxy_cache a; proxy_cache_use_stale error non_idempotent; server { listen 8080; }"))
                .startsWith("invalid value \"non_idempotent\"");
        assertThat(error("proxy_cache_path a keys_zone=a:1m; proxy_cache a; proxy_cache_use_stale off error; server { listen 8080; }"))
                .startsWith("invalid value \"off\"");
    }

    @Test
    void backgroundUpdateDefaultsOffAndIsInherited() throws Exception {
        String conf = """
                proxy_cache_path cache keys_zone=one:1m;
                fastcgi_cache_path fcache keys_zone=f:1m;
                proxy_cache one;
                proxy_cache_background_update on;
                server { listen 8080;
                    location / { proxy_pass http://127.0.0.1:8081; }
                    location /off { proxy_pass http://127.0.0.1:8081; proxy_cache_background_update off; }
                    location /fcgi { fastcgi_pass 127.0.0.1:9000; fastcgi_cache f; fastcgi_cache_key $uri;
                        fastcgi_cache_background_update on; }
                }
                """;
        assertThat(policy(conf, "/").backgroundUpdate()).isTrue();
        assertThat(policy(conf, "/off").backgroundUpdate()).isFalse();
        assertThat(policy("proxy_cache_path c keys_zone=c:1m; server { listen 8080; proxy_cache c; location / { proxy_pass http://127.0.0.1:8081; } }",
                "/").backgroundUpdate()).isFalse();
        assertThat(error("proxy_cache_path a keys_zone=a:1m; proxy_cache a; proxy_cache_background_update maybe; server { listen 8080; }"))
                .contains("\"on\" or \"off\"");
    }

    @Test
    void cacheLockIsOffWithFiveSecondsAndInheritsPerDirective() throws Exception {
        String conf = """
                proxy_cache_path cache keys_zone=one:1m;
                proxy_cache one;
                proxy_cache_lock_timeout 200ms;
                server { listen 8080; proxy_cache_lock on;
                    location / { proxy_pass http://127.0.0.1:8081; }
                    location /age { proxy_pass http://127.0.0.1:8081; proxy_cache_lock_age 1m; proxy_cache_lock off; }
                }
                """;
        assertThat(policy(conf, "/").lock()).isEqualTo(new CacheLock.Settings(true, 200, 5000));
        assertThat(policy(conf, "/age").lock()).isEqualTo(new CacheLock.Settings(false, 200, 60_000));
        assertThat(policy("""
                proxy_cache_path cache keys_zone=one:1m;
                server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; proxy_cache one; } }
                """, "/").lock()).isEqualTo(new CacheLock.Settings(false, 5000, 5000));
    }

    @Test
    void cacheLockErrorsNameTheDirective() throws Exception {
        assertThat(error("proxy_cache_lock maybe; server { listen 8080; }")).contains("proxy_cache_lock");
        assertThat(error("uwsgi_cache_lock_timeout 5x; server { listen 8080; }")).contains("uwsgi_cache_lock_timeout");
        assertThat(error("scgi_cache_lock_age; server { listen 8080; }")).contains("scgi_cache_lock_age");
    }
}
