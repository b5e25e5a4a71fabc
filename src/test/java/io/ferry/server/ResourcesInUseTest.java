package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.HttpConfig;
import io.ferry.upstream.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload keeps: the upstream groups and access log files some location of the new configuration uses. */
class ResourcesInUseTest {
    @TempDir
    Path dir;

    private HttpConfig http(String body) throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, "http {\n" + body + "\n}\n");
        return ConfigLoader.load(dir, conf, null).config().http();
    }

    private static final String CONFIG = """
            upstream app { server 127.0.0.1:9001; }
            upstream php { server 127.0.0.1:9002; }
            upstream unused { server 127.0.0.1:9009; }
            server {
                listen 127.0.0.1:8001;
                access_log %1$s/server.log;
                location / { proxy_pass http://app; }
                location /php {
                    fastcgi_pass php;
                    location /php/nested { access_log %1$s/nested.log combined; proxy_pass http://127.0.0.1:9003; }
                }
                location /mc { memcached_pass 127.0.0.1:11211; access_log off; }
            }
            server { listen 127.0.0.1:8002; return 200; }
            """;

    @Test
    void upstreamGroupsOfEveryLocationNestedOrNotButNoUnusedOne() throws Exception {
        HttpConfig http = http(String.format(CONFIG, dir));
        assertThat(ResourcesInUse.of(http)).extracting(Upstream::name).containsExactlyInAnyOrder(
                "app", "php", "127.0.0.1:9003", "127.0.0.1:11211");
    }

    @Test
    void accessLogFilesOfEveryLevelIncludingNginxsDefaultButNotOff() throws Exception {
        HttpConfig http = http(String.format(CONFIG, dir));
        assertThat(ResourcesInUse.accessLogPaths(http)).containsExactlyInAnyOrder(
                dir.resolve("server.log"), dir.resolve("nested.log"), dir.resolve("logs/access.log"));
    }
}
