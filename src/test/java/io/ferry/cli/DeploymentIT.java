package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/ferry.service and deploy/Dockerfile. The unit passes systemd-analyze verify, and its commands do what
 * systemd will ask of them: ExecStartPre tests the configuration, ExecStart serves with $MAINPID the pid in
 * PIDFile, ExecReload reloads, and KillSignal sent to the main process alone (KillMode=mixed) stops gracefully
 * well within TimeoutStopSec. The Dockerfile (no image can be built here) copies only what the build made and
 * the repository holds, and exposes the ports the configuration it copies listens on.
 */
@Timeout(300)
class DeploymentIT {
    private static final String INSTALL = "/opt/ferry";

    @TempDir
    Path prefix;
    @TempDir
    Path scratch;

    private static Path deploy(String name) {
        return FerryCli.repo().resolve("deploy").resolve(name);
    }

    /** The unit's [Service] settings, a repeated key's values in order. */
    private static Map<String, List<String>> service(String unit) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        String section = "";
        for (String line : unit.lines().map(String::strip).toList()) {
            if (line.startsWith("[")) {
                section = line;
            } else if (section.equals("[Service]") && !line.isEmpty() && !line.startsWith("#")) {
                int eq = line.indexOf('=');
                settings.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
            }
        }
        return settings;
    }

    /** The unit's paths moved to this test: the launcher is the repository's, everything else under the prefix. */
    private String installedHere(String text) {
        return text.replace(INSTALL + "/bin/ferry", FerryCli.launcher().toString()).replace(INSTALL, prefix.toString());
    }

    private static List<String> words(String command) {
        return List.of(command.split("\\s+"));
    }

    @Test
    void theUnitVerifiesAndItsCommandsServeReloadAndStopGracefully() throws Exception {
        String unit = Files.readString(deploy("ferry.service"));
        Path here = scratch.resolve("ferry.service");
        Files.writeString(here, installedHere(unit));
        Process verify = new ProcessBuilder("systemd-analyze", "verify", here.toString()).redirectErrorStream(true).start();
        String said;
        try (InputStream in = verify.getInputStream()) {
            said = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(said).as("systemd-analyze verify").doesNotContain("ferry.service:");
        assertThat(verify.exitValue()).as("systemd-analyze verify: %s", said).isZero();

        Map<String, List<String>> s = service(unit);
        assertThat(s.get("KillSignal")).containsExactly("SIGQUIT");
        assertThat(s.get("KillMode")).as("SIGQUIT to bin/ferry only: the JVM would take it for a thread dump")
                .containsExactly("mixed");
        assertThat(Long.parseLong(s.get("LimitNOFILE").get(0))).isGreaterThanOrEqualTo(65536);
        assertThat(s.get("ExecReload")).containsExactly("/bin/kill -HUP $MAINPID");
        assertThat(s.get("PIDFile")).containsExactly(INSTALL + "/logs/ferry.pid");
        int stopWithin = Integer.parseInt(s.get("TimeoutStopSec").get(0));

        int port = FerryCli.freePort();
        Files.createDirectories(prefix.resolve("conf"));
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("conf/ferry.conf"), conf(port, "v1"));
        List<String> pre = words(installedHere(s.get("ExecStartPre").get(0)));
        assertThat(pre.get(0)).isEqualTo(FerryCli.launcher().toString());
        FerryCli.Result test = FerryCli.run(scratch, pre.subList(1, pre.size()).toArray(String[]::new));
        assertThat(test.exitCode()).as("ExecStartPre: %s", test).isZero();

        List<String> start = words(installedHere(s.get("ExecStart").get(0)));
        assertThat(start.subList(0, 3)).containsExactly(FerryCli.launcher().toString(), "-p", prefix.toString());
        try (FerryCli.Server server = FerryCli.Server.start(prefix, scratch, start.subList(3, start.size()).toArray(String[]::new))) {
            long pid = server.awaitPidFile();
            assertThat(pid).as("$MAINPID (what systemd started) is the pid in PIDFile").isEqualTo(server.process.pid());
            HttpClient client = FerryCli.plainClient();
            assertThat(FerryCli.get(client, "http://127.0.0.1:" + port + "/").body()).isEqualTo("v1");

            Files.writeString(prefix.resolve("conf/ferry.conf"), conf(port, "v2"));
            FerryCli.kill("HUP", pid);
            FerryCli.await("ExecReload's new configuration", Duration.ofSeconds(20),
                    () -> bodyIs(client, port, "v2"));

            FerryCli.kill(s.get("KillSignal").get(0).substring(3), pid);
            long stopped = System.nanoTime();
            assertThat(server.awaitExit(Duration.ofSeconds(stopWithin))).as("exit status after KillSignal").isZero();
            assertThat(server.anyAlive()).as("a process left for SIGKILL after TimeoutStopSec").isFalse();
            assertThat(server.errorLogText()).contains("gracefully shutting down");
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(stopWithin));
        }
    }

    private static boolean bodyIs(HttpClient client, int port, String body) {
        try {
            return FerryCli.get(client, "http://127.0.0.1:" + port + "/").body().equals(body);
        } catch (Exception e) {
            return false;
        }
    }

    private static String conf(int port, String body) {
        return "error_log logs/error.log notice;\npid logs/ferry.pid;\nhttp { access_log off; server { listen 127.0.0.1:"
                + port + "; location / { return 200 \"" + body + "\"; } } }\n";
    }

    @Test
    void theDockerfileCopiesWhatTheBuildMadeAndExposesTheConfiguredPorts() throws Exception {
        List<String> lines = Files.readString(deploy("Dockerfile")).lines()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(lines.get(0)).matches("FROM eclipse-temurin:17-jre\\S*");
        assertThat(lines).contains("STOPSIGNAL SIGQUIT");
        String workdir = lines.stream().filter(l -> l.startsWith("WORKDIR ")).findFirst().orElseThrow().substring(8);
        for (String copy : lines.stream().filter(l -> l.startsWith("COPY ")).toList()) {
            String[] w = copy.split("\\s+");
            assertThat(FerryCli.repo().resolve(w[1])).as("%s: its source in the build context", copy).exists();
        }
        Matcher entry = Pattern.compile("ENTRYPOINT \\[\"([^\"]+)\", \"-p\", \"([^\"]+)\"]").matcher(
                lines.stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow());
        assertThat(entry.matches()).as("ENTRYPOINT: bin/ferry in the foreground with its prefix").isTrue();
        assertThat(entry.group(1)).isEqualTo("bin/ferry");
        assertThat(entry.group(2)).isEqualTo(workdir);
        assertThat(lines).anyMatch(l -> l.matches("COPY bin/ferry bin/ferry"));

        List<String> exposed = new ArrayList<>();
        lines.stream().filter(l -> l.startsWith("EXPOSE ")).forEach(l -> exposed.addAll(words(l.substring(7))));
        List<String> listened = new ArrayList<>();
        Matcher listen = Pattern.compile("(?m)^\\s*listen\\s+(?:\\S+:)?(\\d+)").matcher(
                Files.readString(FerryCli.repo().resolve("conf/ferry.conf")));
        while (listen.find()) {
            listened.add(listen.group(1));
        }
        if (listened.isEmpty()) {
            fail("no listen in conf/ferry.conf");
        }
        assertThat(exposed).containsExactlyInAnyOrderElementsOf(listened);
    }
}
