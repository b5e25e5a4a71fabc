package io.ferry.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files: include expansion, globs, sources for -T, read errors and decoding. */
class ConfParserIncludeTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private static ConfException failure(Path main) {
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfParser.parseFile(main));
        assertThat(e).isNotNull();
        return e;
    }

    @Test
    void globIncludeIsExpandedInPlaceInNameOrderAndRecordedInSources() throws Exception {
        Path b = write("conf.d/b.conf", "server { listen 81; }\n");
        Path a = write("conf.d/a.conf", "\n\nserver { listen 80; }\n");
        write("conf.d/.hidden.conf", "broken {\n");
        write("conf.d/notes.txt", "broken {\n");
        String mainText = "http {\n    include conf.d/*.conf;\n    server_tokens off;\n}\n";
        Path main = write("ferry.conf", mainText);

        ParsedConfig parsed = ConfParser.parseFile(main);

        Directive http = parsed.directives().get(0);
        assertThat(http.block()).extracting(Directive::name).containsExactly("server", "server", "server_tokens");
        Directive first = http.block().get(0);
        assertThat(first.file()).isEqualTo(a.toString());
        assertThat(first.line()).isEqualTo(3);
        assertThat(first.block().get(0).args()).containsExactly("80");
        assertThat(http.block().get(1).file()).isEqualTo(b.toString());
        assertThat(http.block().get(1).block().get(0).args()).containsExactly("81");
        assertThat(http.block().get(2).file()).isEqualTo(main.toString());
        assertThat(http.block().get(2).line()).isEqualTo(3);

        assertThat(parsed.sources().keySet()).containsExactly(main, a, b);
        assertThat(parsed.sources().get(main)).isEqualTo(mainText);
        assertThat(parsed.sources().get(b)).isEqualTo("server { listen 81; }\n");
    }

    @Test
    void includeDirectiveDoesNotAppearInTheResult() throws Exception {
        write("one.conf", "user a;\n");
        Path main = write("ferry.conf", "include one.conf;\nworker_processes 1;\n");

        List<Directive> top = ConfParser.parseFile(main).directives();

        assertThat(top).extracting(Directive::name).containsExactly("user", "worker_processes");
    }

    @Test
    void globMatchingNothingIsNotAnError() throws Exception {
        Path main = write("ferry.conf", "include sites-enabled/*;\nuser a;\n");

        ParsedConfig parsed = ConfParser.parseFile(main);

        assertThat(parsed.directives()).extracting(Directive::name).containsExactly("user");
        assertThat(parsed.sources().keySet()).containsExactly(main);
    }

    @Test
    void missingFileIsAnOpenErrorAtTheIncludeDirective() throws Exception {
        Path main = write("ferry.conf", "user a;\n\ninclude missing.conf;\n");

        ConfException e = failure(main);

        assertThat(e.detail())
                .isEqualTo("open() \"" + dir.resolve("missing.conf") + "\" failed (2: No such file or directory)");
        assertThat(e.file()).isEqualTo(main.toString());
        assertThat(e.line()).isEqualTo(3);
    }

    @Test
    void missingMainFileIsReportedWithoutALocationLikeNginx() {
        Path main = dir.resolve("nope.conf");

        ConfException e = failure(main);

        assertThat(e.getMessage()).isEqualTo("open() \"" + main + "\" failed (2: No such file or directory)");
        assertThat(e.file()).isNull();
    }

    @Test
    void relativeIncludesResolveAgainstTheMainFilesDirectoryAtAnyDepth() throws Exception {
        write("snippets/proxy.conf", "proxy_http_version 1.1;\n");
        Path site = write("sites/site.conf", "server {\n    location / {\n        include snippets/proxy.conf;\n    }\n}\n");
        Path main = write("ferry.conf", "http {\n    include sites/site.conf;\n}\n");

        ParsedConfig parsed = ConfParser.parseFile(main);

        Directive location = parsed.directives().get(0).block().get(0).block().get(0);
        assertThat(location.file()).isEqualTo(site.toString());
        assertThat(location.block()).containsExactly(new Directive(
                "proxy_http_version", List.of("1.1"), null, dir.resolve("snippets/proxy.conf").toString(), 1));
        assertThat(parsed.sources().keySet())
                .containsExactly(main, dir.resolve("sites/site.conf"), dir.resolve("snippets/proxy.conf"));
    }

    @Test
    void absoluteIncludePathIsUsedAsIs(@TempDir Path elsewhere) throws Exception {
        Path other = elsewhere.resolve("mime.types");
        Files.writeString(other, "types { text/html html; }\n");
        Path main = write("ferry.conf", "include " + other + ";\n");

        Directive types = ConfParser.parseFile(main).directives().get(0);

        assertThat(types.file()).isEqualTo(other.toString());
        assertThat(types.block().get(0).args()).containsExactly("html");
    }

    @Test
    void fileIncludedTwiceIsExpandedTwiceButRecordedOnce() throws Exception {
        Path common = write("common.conf", "add_header X 1;\n");
        Path main = write("ferry.conf", "a { include common.conf; }\nb { include common.conf; }\n");

        ParsedConfig parsed = ConfParser.parseFile(main);

        assertThat(parsed.directives().get(0).block()).extracting(Directive::name).containsExactly("add_header");
        assertThat(parsed.directives().get(1).block()).extracting(Directive::name).containsExactly("add_header");
        assertThat(parsed.sources().keySet()).containsExactly(main, common);
    }

    @Test
    void includeCycleIsAnError() throws Exception {
        write("a.conf", "user a;\ninclude b.conf;\n");
        Path b = write("b.conf", "\ninclude a.conf;\n");
        Path main = write("ferry.conf", "include a.conf;\n");

        ConfException e = failure(main);

        assertThat(e.detail()).isEqualTo("include cycle: \"" + dir.resolve("a.conf") + "\" is already being read");
        assertThat(e.file()).isEqualTo(b.toString());
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void mainFileMatchedByItsOwnGlobIsACycle() throws Exception {
        Path main = write("ferry.conf", "include *.conf;\n");

        ConfException e = failure(main);

        assertThat(e.detail()).startsWith("include cycle:");
        assertThat(e.file()).isEqualTo(main.toString());
        assertThat(e.line()).isEqualTo(1);
    }

    @Test
    void includeTakesExactlyOneArgument() throws Exception {
        Path main = write("ferry.conf", "user a;\ninclude a.conf b.conf;\n");

        ConfException e = failure(main);

        assertThat(e.getMessage())
                .isEqualTo("invalid number of arguments in \"include\" directive in " + main + ":2");
    }

    @Test
    void includeWithABlockIsNotTerminated() throws Exception {
        Path main = write("ferry.conf", "include a.conf {\n}\n");

        ConfException e = failure(main);

        assertThat(e.detail()).isEqualTo("directive \"include\" is not terminated by \";\"");
        assertThat(e.line()).isEqualTo(1);
    }

    @Test
    void errorsInsideAnIncludedFileNameThatFile() throws Exception {
        Path bad = write("conf.d/bad.conf", "server {\n    listen 80\n}\n");
        Path main = write("ferry.conf", "http {\n    include conf.d/*.conf;\n}\n");

        ConfException e = failure(main);

        assertThat(e.detail()).isEqualTo("unexpected \"}\"");
        assertThat(e.file()).isEqualTo(bad.toString());
        assertThat(e.line()).isEqualTo(3);
    }

    @Test
    void includedFileCannotCloseTheIncludersBlock() throws Exception {
        Path closer = write("closer.conf", "user a;\n}\n");
        Path main = write("ferry.conf", "http {\n    include closer.conf;\n");

        ConfException e = failure(main);

        assertThat(e.getMessage()).isEqualTo("unexpected \"}\" in " + closer + ":2");
    }

    @Test
    void parseStringIncludesRelativeToBaseDir() throws Exception {
        Path extra = write("extra.conf", "env TZ;\n");

        ParsedConfig parsed = ConfParser.parseString("worker_processes 2; include extra.conf;", "command line", dir);

        assertThat(parsed.directives()).containsExactly(
                new Directive("worker_processes", List.of("2"), null, "command line", 1),
                new Directive("env", List.of("TZ"), null, extra.toString(), 1));
        assertThat(parsed.sources().keySet()).containsExactly(extra);
    }

    @Test
    void parseStringMissingIncludeNamesTheOrigin() {
        ConfException e = catchThrowableOfType(ConfException.class,
                () -> ConfParser.parseString("include nope.conf;", "command line", dir));

        assertThat(e.getMessage()).isEqualTo(
                "open() \"" + dir.resolve("nope.conf") + "\" failed (2: No such file or directory) in command line:1");
    }

    @Test
    void relativeMainPathStaysRelative() throws Exception {
        write("conf/inc.conf", "user a;\n");
        write("conf/ferry.conf", "include inc.conf;\n");
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("conf/ferry.conf"));

        ParsedConfig parsed = ConfParser.parseFile(relative);

        Path inc = relative.getParent().resolve("inc.conf");
        assertThat(parsed.directives().get(0).file()).isEqualTo(inc.toString()).doesNotStartWith("/");
        assertThat(parsed.sources().keySet()).containsExactly(relative, inc);
    }

    @Test
    void utf8IsDecodedAndInvalidBytesDoNotFailTheParse() throws Exception {
        Path main = dir.resolve("ferry.conf");
        byte[] latin1 = "return 200 \"caf\u00e9\";\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] utf8 = "add_header X \"\u00fcber \u2713\";\n".getBytes(StandardCharsets.UTF_8);
        byte[] both = new byte[latin1.length + utf8.length];
        System.arraycopy(latin1, 0, both, 0, latin1.length);
        System.arraycopy(utf8, 0, both, latin1.length, utf8.length);
        Files.write(main, both);

        List<Directive> top = ConfParser.parseFile(main).directives();

        assertThat(top.get(0).args()).containsExactly("200", "caf\ufffd");
        assertThat(top.get(1).args()).containsExactly("X", "\u00fcber \u2713");
    }
}
