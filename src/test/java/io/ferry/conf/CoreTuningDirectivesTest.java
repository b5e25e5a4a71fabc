package io.ferry.conf;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** types blocks that merge, the hash sizing directives, pcre_jit and chunked_transfer_encoding: accepted and checked as nginx does. */
class CoreTuningDirectivesTest {
    @TempDir
    Path dir;

    @Test
    void typesBlocksOfOneLevelMerge() throws Exception {
        Files.writeString(dir.resolve("mime.types"), "types { text/html html; image/gif gif; }\n");
        VirtualServer vs = new ConfigText(dir).server("""
                include mime.types;
                types { text/x-foo foo; image/png gif; }
                server { listen 8080; location / { } location /own/ { types { a/b ab; } } }
                """);
        var root = vs.locations().get(0).settings().types();
        assertThat(root).containsEntry("html", "text/html").containsEntry("foo", "text/x-foo")
                .as("a later block wins for an extension both name").containsEntry("gif", "image/png");
        assertThat(vs.locations().get(1).settings().types()).containsOnlyKeys("ab");
    }

    @Test
    void hashSizesAndPcreJitAreChecked() throws Exception {
        ConfigText text = new ConfigText(dir);
        text.load("""
                pcre_jit on;
                http {
                    map_hash_bucket_size 128; map_hash_max_size 4096;
                    types_hash_bucket_size 64; types_hash_max_size 2048;
                    variables_hash_bucket_size 128; variables_hash_max_size 1024;
                    server_names_hash_bucket_size 64; server_names_hash_max_size 512;
                    proxy_headers_hash_bucket_size 128; proxy_headers_hash_max_size 1024;
                    server { listen 8080; location / { types_hash_max_size 1024; proxy_headers_hash_bucket_size 64; } }
                }
                """);
        assertThat(text.error("http {\nmap_hash_bucket_size big;\n}\n").detail())
                .isEqualTo("\"map_hash_bucket_size\" directive invalid value");
        assertThat(text.error("http {\nvariables_hash_max_size 1k;\n}\n").detail())
                .isEqualTo("\"variables_hash_max_size\" directive invalid number");
        assertThat(text.error("http {\nserver { listen 8080; location / { types_hash_max_size x; } }\n}\n").line()).isEqualTo(2);
        assertThat(text.error("pcre_jit maybe;\n").detail()).contains("it must be \"on\" or \"off\"");
        assertThat(text.error("http {\nserver { listen 8080; location / { chunked_transfer_encoding 1; } }\n}\n").detail())
                .contains("it must be \"on\" or \"off\"");
        assertThat(text.error("http {\nmap_hash_max_size 1;\nserver { map_hash_max_size 1; }\n}\n").detail())
                .contains("is not allowed here");
    }
}
