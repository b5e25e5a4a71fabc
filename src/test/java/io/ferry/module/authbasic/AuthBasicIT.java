package io.ferry.module.authbasic;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.FerryUnderTest;
import io.ferry.testing.RawHttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * auth_basic on a real Ferry with a raw client: the challenge, each stored format, a user file
 * named by a variable and relative to the configuration's directory, a missing file, $remote_user,
 * an error_page for 401 keeping the challenge, a POST to a static location, and satisfy any/all with allow/deny and auth_request.
 */
@Timeout(60)
class AuthBasicIT {
    @RegisterExtension
    static final FerryUnderTest ferry = new FerryUnderTest();

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(ferry.prefix().resolve("conf"));
        Files.writeString(ferry.prefix().resolve("conf/htpasswd"), """
                # a comment
                plain:{PLAIN}secret:a comment
                apr1:$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/
                sha512:$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/
                bcrypt:$2y$05$abcdefghijklmnopqrstuuWG29KuyeAicPCJODk1zjyGvyQUU2awu
                """, StandardCharsets.ISO_8859_1);
        Files.createDirectories(ferry.html().resolve("open"));
        ferry.file("index.html", "SECRET");
        // return would answer before the access phase, as in nginx: these locations serve files
        for (String name : new String[] {"byarg", "page", "any-allow", "any-deny", "all-deny", "any-request"}) {
            ferry.file(name, "ok");
        }
        ferry.start("""
                http {
                    access_log off;
                    server {
                        listen 127.0.0.1:%d;
                        server_name a;
                        auth_basic "closed $host";
                        auth_basic_user_file htpasswd;
                        location / { }
                        location /who { return 200 "user=$remote_user"; }
                        location /open { auth_basic off; return 200 open; }
                        location /byarg { auth_basic_user_file $arg_f; }
                        location /page { error_page 401 /denied.txt; }
                        location = /denied.txt { auth_basic off; return 401 "log in first"; }
                        location /any-allow { satisfy any; allow 127.0.0.1; deny all; }
                        location /any-deny { satisfy any; deny all; }
                        location /all-deny { deny all; }
                        location /any-request { satisfy any; auth_request /no; }
                        location = /no { internal; return 403; }
                    }
                }
                """.formatted(ferry.port()));
    }

    private static RawHttpClient.Response get(String uri, String user, String password) throws Exception {
        String auth = user == null ? "" : "Authorization: Basic "
                + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.ISO_8859_1)) + "\r\n";
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            return c.send("GET " + uri + " HTTP/1.1\r\nHost: a\r\n" + auth + "Connection: close\r\n\r\n").read();
        }
    }

    @Test
    void noCredentialsGetTheRealmsChallenge() throws Exception {
        RawHttpClient.Response r = get("/", null, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"closed a\"");
        assertThat(r.text()).doesNotContain("SECRET");
    }

    @Test
    void eachStoredFormatLetsTheRightPasswordIn() throws Exception {
        assertThat(get("/", "plain", "secret").text()).contains("SECRET");
        assertThat(get("/", "apr1", "password").text()).contains("SECRET");
        assertThat(get("/", "sha512", "password").text()).contains("SECRET");
        assertThat(get("/", "bcrypt", "password").text()).contains("SECRET");
        assertThat(get("/", "bcrypt", "wrong").status()).isEqualTo(401);
        assertThat(get("/", "nobody", "secret").status()).isEqualTo(401);
        assertThat(get("/", "a comment", "x").status()).isEqualTo(401);
    }

    @Test
    void remoteUserIsTheAuthenticatedName() throws Exception {
        assertThat(get("/who", "plain", "secret").text()).endsWith("user=plain");
    }

    @Test
    void offLiftsTheCheck() throws Exception {
        assertThat(get("/open", null, null).status()).isEqualTo(200);
    }

    @Test
    void theFileNameMayComeFromAVariableAndAMissingFileIsForbidden() throws Exception {
        assertThat(get("/byarg?f=htpasswd", "plain", "secret").status()).isEqualTo(200);
        assertThat(get("/byarg?f=missing", "plain", "secret").status()).isEqualTo(403);
        // the configuration's own directory: a file, not a password list
        assertThat(get("/byarg", "plain", "secret").status()).isEqualTo(500);
    }

    @Test
    void anErrorPageFor401KeepsTheChallenge() throws Exception {
        RawHttpClient.Response r = get("/page", null, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.text()).contains("log in first");
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"closed a\"");
    }

    @Test
    void satisfyCombinesTheChecks() throws Exception {
        assertThat(get("/any-allow", null, null).status()).isEqualTo(200);
        assertThat(get("/any-deny", null, null).status()).isEqualTo(401);
        assertThat(get("/any-deny", "plain", "secret").status()).isEqualTo(200);
        assertThat(get("/all-deny", "plain", "secret").status()).isEqualTo(403);
        // 401 from auth_basic is kept over auth_request's 403; the password alone is enough
        assertThat(get("/any-request", null, null).status()).isEqualTo(401);
        assertThat(get("/any-request", "plain", "secret").status()).isEqualTo(200);
    }

    @Test
    void aPostToAMissingFileIsNotFoundAndToAFileNotAllowed() throws Exception {
        String auth = Base64.getEncoder().encodeToString("plain:secret".getBytes(StandardCharsets.ISO_8859_1));
        try (RawHttpClient c = new RawHttpClient(ferry.port())) {
            assertThat(c.send("POST /nothing HTTP/1.1\r\nHost: a\r\nAuthorization: Basic " + auth
                    + "\r\nContent-Length: 2\r\n\r\nab").read().status()).isEqualTo(404);
            assertThat(c.send("POST /index.html HTTP/1.1\r\nHost: a\r\nAuthorization: Basic " + auth
                    + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab").read().status()).isEqualTo(405);
        }
    }
}
