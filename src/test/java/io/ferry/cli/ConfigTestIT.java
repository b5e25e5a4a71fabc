package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cli.FerryCli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/ferry -t / -T / -g / -v / -V}: nginx's configuration test, as an operator runs it. */
class ConfigTestIT {
    /** The two location blocks exactly as users paste them: brace on its own line, uneven indentation. */
    private static final List<String> ODD_LOCATIONS = List.of(
            "location /wss",
            "    {",
            "         proxy_pass http://127.0.0.1:8888;",
            "         proxy_http_version 1.1;",
            "         proxy_set_header Upgrade $http_upgrade;",
            "         proxy_set_header Connection \"Upgrade\";",
            "        proxy_set_header X-Real-IP $remote_addr;",
            "     }",
            "location /Tomcat",
            "    {",
            "         proxy_pass http://127.0.0.1:8080;",
            "         proxy_http_version 1.1;",
            "        proxy_set_header X-Real-IP $remote_addr;",
            "     }");

    @TempDir
    Path tmp;

    private Path prefix;
    private Path scratch;

    @BeforeAll
    static void launcherIsBuilt(@TempDir Path dir) throws Exception {
        // The first run may build the jar; do it once here so each test's output is only its own.
        Result r = FerryCli.run(dir, "-v");
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    private Path conf(String text) throws IOException {
        prefix = tmp.resolve("prefix");
        scratch = tmp.resolve("scratch");
        Path file = prefix.resolve("conf/ferry.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private static String serverWith(int port, List<String> body) {
        return String.join("\n",
                "events {",
                "    worker_connections 64;",
                "}",
                "http {",
                "    server {",
                "        listen 127.0.0.1:" + port + ";",
                String.join("\n", body),
                "    }",
                "}",
                "");
    }

    /** 1-based number of the only line containing {@code needle}. */
    private static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                assertThat(found).as("\"%s\" occurs once in%n%s", needle, text).isEqualTo(-1);
                found = i + 1;
            }
        }
        assertThat(found).as("\"%s\" occurs in%n%s", needle, text).isPositive();
        return found;
    }

    private Result ferry(String... args) throws Exception {
        return FerryCli.run(scratch, args);
    }

    private static void assertSuccessful(Result r, Path conf) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stderr()).as("%s", r).isEqualTo(
                "ferry: the configuration file " + conf + " syntax is ok\n"
                        + "ferry: configuration file " + conf + " test is successful\n");
    }

    private static void assertFailed(Result r, Path conf, String emerg) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).as("%s", r)
                .contains("ferry: [emerg] " + emerg + "\n")
                .contains("ferry: configuration file " + conf + " test failed")
                .doesNotContain("syntax is ok")
                .doesNotContain("test is successful");
        assertThat(r.stdout()).as("%s", r).isEmpty();
    }

    @Test
    void oddlyIndentedLocationBlocksPassTheTest() throws Exception {
        Path conf = conf(serverWith(FerryCli.freePort(), ODD_LOCATIONS));

        Result r = ferry("-p", prefix.toString(), "-t");

        assertSuccessful(r, conf);
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void prefixWithTrailingSlashAsInNginxUsage() throws Exception {
        Path conf = conf(serverWith(FerryCli.freePort(), ODD_LOCATIONS));

        Result r = ferry("-p", prefix + "/", "-t");

        assertSuccessful(r, conf);
    }

    @Test
    void quietTestPrintsNothingOnSuccess() throws Exception {
        conf(serverWith(FerryCli.freePort(), ODD_LOCATIONS));

        Result r = ferry("-p", prefix.toString(), "-t", "-q");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stderr()).as("%s", r).isEmpty();
        assertThat(r.stdout()).as("%s", r).isEmpty();
    }

    @Test
    void misspelledDirectiveIsNamedWithFileAndLine() throws Exception {
        List<String> misspelled = ODD_LOCATIONS.stream()
                .map(l -> l.equals("         proxy_pass http://127.0.0.1:8888;") ? "         proxy_pas http://127.0.0.1:8888;" : l)
                .toList();
        String text = serverWith(FerryCli.freePort(), misspelled);
        Path conf = conf(text);
        int line = lineOf(text, "proxy_pas ");

        Result r = ferry("-p", prefix.toString(), "-t");

        assertThat(conf).isAbsolute();
        assertFailed(r, conf, "unknown directive \"proxy_pas\" in " + conf + ":" + line);
    }

    @Test
    void dumpPrintsTheMainFileAndEveryIncludedFile() throws Exception {
        String main = String.join("\n",
                "# main file",
                "events {",
                "    worker_connections 64;",
                "}",
                "http {",
                "    default_type text/plain;",
                "    include sites/*.conf;",
                "}",
                "");
        String site = String.join("\n",
                "# included site",
                "server {",
                "    listen 127.0.0.1:" + FerryCli.freePort() + ";",
                String.join("\n", ODD_LOCATIONS),
                "}",
                "");
        Path conf = conf(main);
        Path included = prefix.resolve("conf/sites/demo.conf");
        Files.createDirectories(included.getParent());
        Files.writeString(included, site);

        Result r = ferry("-p", prefix.toString(), "-T");

        assertSuccessful(r, conf);
        String dumpMain = "# configuration file " + conf + ":\n" + main;
        String dumpSite = "# configuration file " + included + ":\n" + site;
        assertThat(r.stdout()).as("%s", r).startsWith(dumpMain).contains(dumpSite);
        assertThat(r.stdout().indexOf(dumpSite)).isGreaterThan(r.stdout().indexOf(dumpMain));
    }

    @Test
    void directiveInTheWrongContext() throws Exception {
        String text = String.join("\n",
                "http {",
                "    proxy_pass http://127.0.0.1:8888;",
                "    server {",
                "        listen 127.0.0.1:" + FerryCli.freePort() + ";",
                "    }",
                "}",
                "");
        Path conf = conf(text);

        Result r = ferry("-p", prefix.toString(), "-t");

        assertFailed(r, conf, "\"proxy_pass\" directive is not allowed here in " + conf + ":2");
    }

    @Test
    void directiveWithTheWrongNumberOfArguments() throws Exception {
        String text = serverWith(FerryCli.freePort(), List.of(
                "        location / {",
                "            root html extra;",
                "        }"));
        Path conf = conf(text);
        int line = lineOf(text, "root html extra;");

        Result r = ferry("-p", prefix.toString(), "-t");

        assertFailed(r, conf, "invalid number of arguments in \"root\" directive in " + conf + ":" + line);
    }

    @Test
    void directiveWithAnInvalidValue() throws Exception {
        String text = serverWith(FerryCli.freePort(), List.of("        keepalive_timeout abc;"));
        Path conf = conf(text);
        int line = lineOf(text, "keepalive_timeout abc;");

        Result r = ferry("-p", prefix.toString(), "-t");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).as("%s", r)
                .containsPattern("ferry: \\[emerg\\] .*invalid value.* in " + java.util.regex.Pattern.quote(conf + ":" + line) + "\n")
                .contains("keepalive_timeout")
                .contains("ferry: configuration file " + conf + " test failed");
    }

    @Test
    void duplicateDirectiveInOneLocation() throws Exception {
        String text = serverWith(FerryCli.freePort(), List.of(
                "        location /static/ {",
                "            root html;",
                "            root /srv/www;",
                "        }"));
        Path conf = conf(text);
        int line = lineOf(text, "root /srv/www;");

        Result r = ferry("-p", prefix.toString(), "-t");

        assertFailed(r, conf, "\"root\" directive is duplicate in " + conf + ":" + line);
    }

    @Test
    void globalDirectivesFromTheCommandLineAreAccepted() throws Exception {
        Path conf = conf(serverWith(FerryCli.freePort(), ODD_LOCATIONS));

        Result r = ferry("-p", prefix.toString(), "-g", "worker_processes 2;", "-t");

        assertSuccessful(r, conf);
    }

    @Test
    void globalDirectiveDuplicatingOneInTheFileIsRejected() throws Exception {
        Path conf = conf("worker_processes 1;\n" + serverWith(FerryCli.freePort(), ODD_LOCATIONS));

        Result r = ferry("-p", prefix.toString(), "-g", "worker_processes 2;", "-t");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).as("%s", r)
                .contains("ferry: [emerg] \"worker_processes\" directive is duplicate in ")
                .contains("ferry: configuration file " + conf + " test failed")
                .doesNotContain("test is successful");
    }

    @Test
    void shortVersion() throws Exception {
        scratch = tmp.resolve("scratch");

        Result r = ferry("-v");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).as("%s", r).matches("ferry version: ferry/[0-9A-Za-z.\\-]+\n");
    }

    @Test
    void fullVersionWithConfigureArguments() throws Exception {
        scratch = tmp.resolve("scratch");

        Result r = ferry("-V");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).isEmpty();
        List<String> lines = r.stderr().lines().toList();
        assertThat(lines).as("%s", r).hasSize(4);
        assertThat(lines.get(0)).matches("ferry version: ferry/[0-9A-Za-z.\\-]+");
        assertThat(lines.get(1)).startsWith("built with ");
        assertThat(lines.get(2)).isEqualTo("TLS SNI support enabled");
        assertThat(lines.get(3)).startsWith("configure arguments: ").contains("--with-http_ssl_module");
    }

    @Test
    void theShippedConfigurationPassesTheTest() throws Exception {
        prefix = tmp.resolve("prefix");
        scratch = tmp.resolve("scratch");
        // conf/ssl/ is generated state (gitignored): a newcomer's checkout has none.
        FerryCli.copyTree(FerryCli.repo().resolve("conf"), prefix.resolve("conf"), "ssl");
        FerryCli.copyTree(FerryCli.repo().resolve("html"), prefix.resolve("html"));
        Path conf = prefix.resolve("conf/ferry.conf");

        Result r = ferry("-p", prefix.toString(), "-t");

        assertSuccessful(r, conf);
        assertThat(r.stdout()).isEmpty();
    }
}
