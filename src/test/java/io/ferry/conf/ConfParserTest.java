package io.ferry.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grammar itself: tokens, quoting, escapes, comments, blocks, line numbers and syntax errors. */
class ConfParserTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("ferry.conf");
        Files.writeString(file, text);
        return file;
    }

    private List<Directive> parse(String text) throws Exception {
        return ConfParser.parseFile(write(text)).directives();
    }

    private ConfException error(String text) throws IOException {
        Path file = write(text);
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfParser.parseFile(file));
        assertThat(e).as("expected a ConfException for %s", text).isNotNull();
        assertThat(e.file()).isEqualTo(file.toString());
        return e;
    }

    private static List<String> names(List<Directive> directives) {
        return directives.stream().map(Directive::name).toList();
    }

    @Test
    void parsesLocationWithBraceOnItsOwnLineAndOddIndentation() throws Exception {
        List<Directive> top = parse("""
                server {
                    listen 80;
                location /wss
                    {
                         proxy_pass http://127.0.0.1:8888;
                         proxy_http_version 1.1;
                         proxy_set_header Upgrade $http_upgrade;
                         proxy_set_header Connection "Upgrade";
                        proxy_set_header X-Real-IP $remote_addr;
                     }
                }
                """);

        assertThat(top).hasSize(1);
        Directive server = top.get(0);
        assertThat(server.name()).isEqualTo("server");
        assertThat(server.args()).isEmpty();
        assertThat(server.hasBlock()).isTrue();
        assertThat(names(server.block())).containsExactly("listen", "location");

        Directive location = server.block().get(1);
        assertThat(location.args()).containsExactly("/wss");
        assertThat(location.line()).isEqualTo(4);
        assertThat(location.block()).containsExactly(
                new Directive("proxy_pass", List.of("http://127.0.0.1:8888"), null, location.file(), 5),
                new Directive("proxy_http_version", List.of("1.1"), null, location.file(), 6),
                new Directive("proxy_set_header", List.of("Upgrade", "$http_upgrade"), null, location.file(), 7),
                new Directive("proxy_set_header", List.of("Connection", "Upgrade"), null, location.file(), 8),
                new Directive("proxy_set_header", List.of("X-Real-IP", "$remote_addr"), null, location.file(), 9));
    }

    @Test
    void directiveWithSemicolonHasNoBlockButEmptyBracesGiveAnEmptyBlock() throws Exception {
        List<Directive> top = parse("events { }\nworker_processes 2;\n");

        assertThat(top.get(0).hasBlock()).isTrue();
        assertThat(top.get(0).block()).isEmpty();
        assertThat(top.get(1).hasBlock()).isFalse();
        assertThat(top.get(1).block()).isNull();
    }

    @Test
    void quotesAndEscapesAreProcessedLikeNginx() throws Exception {
        // Java text block: "\\" below is one backslash in the configuration text.
        Directive d = parse("""
                x "a\\"b" 'it\\'s' "\\t" ~\\.php$ "\\\\" "\\n\\r" "\\d" 'say "hi"' "it's" \\;semi;
                """).get(0);

        assertThat(d.args()).containsExactly(
                "a\"b", "it's", "\t", "~\\.php$", "\\", "\n\r", "\\d", "say \"hi\"", "it's", "\\;semi");
    }

    @Test
    void backslashStopsTheNextCharacterFromEndingAWord() throws Exception {
        Directive d = parse("x a\\ b c\\{d;\n").get(0);

        // The escape keeps the space and brace inside the word; unknown escapes keep their backslash.
        assertThat(d.args()).containsExactly("a\\ b", "c\\{d");
        assertThat(d.hasBlock()).isFalse();
    }

    @Test
    void quotedStringsMayBeEmptySpanLinesAndNameADirective() throws Exception {
        Directive map = parse("""
                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    '' close;
                    "" "";
                    "~^(?<x>.+)$" value;
                    "multi
                line" v;
                }
                """).get(0);

        assertThat(map.args()).containsExactly("$http_upgrade", "$connection_upgrade");
        assertThat(names(map.block())).containsExactly("default", "", "", "~^(?<x>.+)$", "multi\nline");
        assertThat(map.block().get(1).args()).containsExactly("close");
        assertThat(map.block().get(2).args()).containsExactly("");
        assertThat(map.block().get(4).line()).isEqualTo(7);
    }

    @Test
    void quoteInsideAWordIsAnOrdinaryCharacter() throws Exception {
        assertThat(parse("sub_filter a\"b c'd;").get(0).args()).containsExactly("a\"b", "c'd");
    }

    @Test
    void commentsRunToEndOfLineOnlyWhenHashStartsAWord() throws Exception {
        List<Directive> top = parse("""
                # a comment with ; and { and "
                user nobody; # trailing
                return 200 "a # not a comment";
                set $x a#b;
                proxy_pass # comment between arguments
                    http://up;
                """);

        assertThat(names(top)).containsExactly("user", "return", "set", "proxy_pass");
        assertThat(top.get(0).args()).containsExactly("nobody");
        assertThat(top.get(1).args()).containsExactly("200", "a # not a comment");
        assertThat(top.get(2).args()).containsExactly("$x", "a#b");
        assertThat(top.get(3).args()).containsExactly("http://up");
    }

    @Test
    void bracedVariableIsPartOfTheWord() throws Exception {
        List<Directive> top = parse("""
                return 200 ${host}abc;
                set $a pre${b}post;
                add_header X "${x}y";
                loc ${x}{ }
                """);

        assertThat(top.get(0).args()).containsExactly("200", "${host}abc");
        assertThat(top.get(1).args()).containsExactly("$a", "pre${b}post");
        assertThat(top.get(2).args()).containsExactly("X", "${x}y");
        // Once the variable's "}" is read, a following "{" opens a block again.
        assertThat(top.get(3).args()).containsExactly("${x}");
        assertThat(top.get(3).block()).isEmpty();
    }

    @Test
    void braceEndsAWordOnlyWhenOpeningAndSemicolonMayFollowWithoutSpace() throws Exception {
        List<Directive> top = parse("location /{ return 200 ok; }\nlisten 80;");

        assertThat(top.get(0).args()).containsExactly("/");
        assertThat(top.get(0).block().get(0).args()).containsExactly("200", "ok");
        assertThat(top.get(1).args()).containsExactly("80");
    }

    @Test
    void closingParenthesisMayFollowAQuotedWord() throws Exception {
        Directive d = parse("if ($a = \"b\") { return 403; }").get(0);

        assertThat(d.args()).containsExactly("($a", "=", "b", ")");
        assertThat(d.block()).hasSize(1);
    }

    @Test
    void crlfLineEndingsAndTabsAreWhitespace() throws Exception {
        List<Directive> top = parse("events {\r\n\tworker_connections\t10;\r\n}\r\nuser a;\r\n");

        assertThat(top.get(0).block()).containsExactly(
                new Directive("worker_connections", List.of("10"), null, top.get(0).file(), 2));
        assertThat(top.get(1)).isEqualTo(new Directive("user", List.of("a"), null, top.get(0).file(), 4));
    }

    /**
     * nginx reports a directive at cf->conf_file->line when the handler runs, i.e. the line on which its ";" or "{"
     * was read, not the line where its name starts. Ferry keeps that choice so messages point where nginx's would.
     */
    @Test
    void lineIsWhereTheTerminatorWasRead() throws Exception {
        List<Directive> top = parse("""
                proxy_pass
                    http://x
                    ;
                server
                {
                }
                """);

        assertThat(top.get(0).line()).isEqualTo(3);
        assertThat(top.get(1).line()).isEqualTo(5);
        assertThat(top.get(0).file()).isEqualTo(dir.resolve("ferry.conf").toString());
    }

    @Test
    void unbalancedClosingBrace() throws Exception {
        ConfException e = error("user a;\n}\n");

        assertThat(e.detail()).isEqualTo("unexpected \"}\"");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("unexpected \"}\" in " + dir.resolve("ferry.conf") + ":2");
    }

    @Test
    void closingBraceAfterArgumentsWithoutSemicolon() throws Exception {
        ConfException e = error("http {\n    user a }\n");

        assertThat(e.detail()).isEqualTo("unexpected \"}\"");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void endOfFileInsideADirective() throws Exception {
        ConfException e = error("user a;\nworker_processes 2");

        assertThat(e.detail()).isEqualTo("unexpected end of file, expecting \";\" or \"}\"");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void endOfFileLineCountsTheFinalNewlineLikeNginx() throws Exception {
        assertThat(error("user a;\nworker_processes 2\n").line()).isEqualTo(3);
    }

    @Test
    void unterminatedQuoteRunsToEndOfFile() throws Exception {
        ConfException e = error("return 200 \"oops;\nuser a;\n");

        assertThat(e.detail()).isEqualTo("unexpected end of file, expecting \";\" or \"}\"");
        assertThat(e.line()).isEqualTo(3);
    }

    @Test
    void endOfFileInsideABlock() throws Exception {
        ConfException e = error("http {\n    server {\n    }\n");

        assertThat(e.detail()).isEqualTo("unexpected end of file, expecting \"}\"");
        assertThat(e.line()).isEqualTo(4);
    }

    @Test
    void openingBraceWithoutADirective() throws Exception {
        ConfException e = error("user a;\n  {\n}\n");

        assertThat(e.detail()).isEqualTo("unexpected \"{\"");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void semicolonWithoutADirective() throws Exception {
        ConfException e = error("events { }\n;\n");

        assertThat(e.detail()).isEqualTo("unexpected \";\"");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void characterGluedToAClosingQuote() throws Exception {
        ConfException e = error("user a;\nreturn 200 \"ok\"x;\n");

        assertThat(e.detail()).isEqualTo("unexpected \"x\"");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void closingBraceGluedToAClosingQuoteIsAnErrorAsInNginx() throws Exception {
        ConfException e = error("location / {\n    return 200 'ok'}\n");

        assertThat(e.detail()).isEqualTo("unexpected \"}\"");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void hashGluedToAClosingQuoteIsNotAComment() throws Exception {
        assertThat(error("return 200 'ok'#c\n;").detail()).isEqualTo("unexpected \"#\"");
    }

    @Test
    void deepNestingDoesNotOverflowTheStack() throws Exception {
        int depth = 100_000;
        List<Directive> top = parse("a {".repeat(depth) + "}".repeat(depth));

        Directive d = top.get(0);
        int seen = 1;
        while (!d.block().isEmpty()) {
            d = d.block().get(0);
            seen++;
        }
        assertThat(seen).isEqualTo(depth);
    }

    @Test
    void parseStringNamesItsOriginAndHasNoSource() throws Exception {
        ParsedConfig parsed = ConfParser.parseString("worker_processes 2; daemon off;", "command line", dir);

        assertThat(parsed.directives()).containsExactly(
                new Directive("worker_processes", List.of("2"), null, "command line", 1),
                new Directive("daemon", List.of("off"), null, "command line", 1));
        assertThat(parsed.sources()).isEmpty();
    }

    @Test
    void parseStringEndingInsideADirectiveUsesNginxsCommandLineWording() {
        assertThatThrownBy(() -> ConfParser.parseString("worker_processes 2", "command line", dir))
                .isInstanceOfSatisfying(ConfException.class, e -> {
                    assertThat(e.detail()).isEqualTo("unexpected end of parameter, expecting \";\"");
                    assertThat(e.file()).isEqualTo("command line");
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.getMessage())
                            .isEqualTo("unexpected end of parameter, expecting \";\" in command line:1");
                });
    }

    @Test
    void parseStringSyntaxErrorsNameTheOrigin() {
        assertThatThrownBy(() -> ConfParser.parseString("daemon off; }", "command line", dir))
                .hasMessage("unexpected \"}\" in command line:1");
    }

    @Test
    void exceptionExposesItsParts() {
        ConfException e = new ConfException("unknown directive \"proxy_pas\"", "/etc/ferry/ferry.conf", 5);

        assertThat(e.getMessage()).isEqualTo("unknown directive \"proxy_pas\" in /etc/ferry/ferry.conf:5");
        assertThat(e.detail()).isEqualTo("unknown directive \"proxy_pas\"");
        assertThat(e.file()).isEqualTo("/etc/ferry/ferry.conf");
        assertThat(e.line()).isEqualTo(5);
    }
}
