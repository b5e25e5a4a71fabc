package io.ferry.module.securelink;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** secure_link on a real Ferry: hashed and expiring links, $secure_link_expires in the hashed value, the secret form. */
@Timeout(60)
class SecureLinkIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        ferry.file("files/doc.txt", "the document");
        ferry.start("""
                events { }
                http {
                    server {
                        listen 127.0.0.1:%d;
                        location /files/ {
                            secure_link $arg_md5,$arg_expires;
                            secure_link_md5 "$secure_link_expires$uri$remote_addr key";
                            if ($secure_link = "") { return 403; }
                            if ($secure_link = "0") { return 410; }
                            add_header X-Expires $secure_link_expires;
                        }
                        location /s/ {
                            secure_link_secret key;
                            if ($secure_link = "") { return 403; }
                            rewrite ^ /files/$secure_link break;
                        }
                        location /vars { return 200 "[$secure_link][$secure_link_expires]"; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static String hash(String text) throws Exception {
        byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(md5);
    }

    private static RawHttpClient.Response get(String target) throws Exception {
        return ferry.get(target);
    }

    @Test
    void aLinkValidUntilItsTimeServesTheFile() throws Exception {
        long expires = System.currentTimeMillis() / 1000 + 3600;
        RawHttpClient.Response r = get("/files/doc.txt?md5=" + hash(expires + "/files/doc.txt127.0.0.1 key")
                + "&expires=" + expires);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("the document");
        assertThat(r.header("X-Expires")).isEqualTo(Long.toString(expires));
    }

    @Test
    void anExpiredLinkIsZeroAndAWrongOneEmpty() throws Exception {
        long past = System.currentTimeMillis() / 1000 - 10;
        assertThat(get("/files/doc.txt?md5=" + hash(past + "/files/doc.txt127.0.0.1 key") + "&expires=" + past).status())
                .isEqualTo(410);
        long future = past + 3600;
        assertThat(get("/files/doc.txt?md5=" + hash(future + "/files/other.txt127.0.0.1 key") + "&expires=" + future)
                .status()).isEqualTo(403);
        assertThat(get("/files/doc.txt?md5=" + hash("0/files/doc.txt127.0.0.1 key") + "&expires=0").status())
                .isEqualTo(403);
        assertThat(get("/files/doc.txt").status()).isEqualTo(403);
    }

    @Test
    void theSecretFormGivesTheLinkItself() throws Exception {
        byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest("doc.txtkey".getBytes(StandardCharsets.UTF_8));
        RawHttpClient.Response r = get("/s/" + HexFormat.of().formatHex(md5) + "/doc.txt");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("the document");
        assertThat(get("/s/" + "0".repeat(32) + "/doc.txt").status()).isEqualTo(403);
    }

    @Test
    void withoutTheDirectivesBothVariablesAreEmpty() throws Exception {
        assertThat(get("/vars").text()).isEqualTo("[][]");
    }
}
