package io.ferry.variable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.DocumentRoot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** root and alias mapping a URI to a file, and the containment that keeps traversals out. */
class DocumentRootTest {
    private final Variables variables = new Variables();
    private final FakeRequestScope scope = new FakeRequestScope();
    private final Path prefix = Path.of("/opt/ferry");

    private Template t(String text) {
        return Template.compile(text, variables);
    }

    @Test
    void rootAppendsTheUriAndLosesItsTrailingSlash() {
        DocumentRoot root = DocumentRoot.root(t("/srv/www/"), prefix);
        assertThat(root.documentRoot(scope)).isEqualTo("/srv/www");
        assertThat(root.filename(scope, "/a/b.txt")).isEqualTo("/srv/www/a/b.txt");
        assertThat(root.resolve(scope, "/a/b.txt")).isEqualTo(Path.of("/srv/www/a/b.txt"));
    }

    @Test
    void relativeRootIsUnderThePrefix() {
        DocumentRoot root = DocumentRoot.root(t("html"), prefix);
        assertThat(root.documentRoot(scope)).isEqualTo("/opt/ferry/html");
        assertThat(root.filename(scope, "/index.php")).isEqualTo("/opt/ferry/html/index.php");
    }

    @Test
    void aliasReplacesTheLocationPrefix() {
        DocumentRoot alias = DocumentRoot.alias(t("/data/images/"), prefix, "/i/".length());
        assertThat(alias.filename(scope, "/i/top.gif")).isEqualTo("/data/images/top.gif");
        assertThat(alias.documentRoot(scope)).isEqualTo("/data/images/");
    }

    @Test
    void theClassicAliasMistakeNeverEscapes() {
        // location /files { alias /x/; } and "/files../etc/passwd": nginx opens /x/../etc/passwd.
        DocumentRoot alias = DocumentRoot.alias(t("/x/"), prefix, "/files".length());
        assertThat(alias.filename(scope, "/files../etc/passwd")).isEqualTo("/x/../etc/passwd");
        assertThat(alias.resolve(scope, "/files../etc/passwd")).isNull();
        assertThat(alias.resolve(scope, "/files/ok.txt")).isEqualTo(Path.of("/x/ok.txt"));
        // location /img { alias /data/images; } and "/imgX": a sibling directory is outside too.
        DocumentRoot noSlash = DocumentRoot.alias(t("/data/images"), prefix, "/img".length());
        assertThat(noSlash.resolve(scope, "/img-private/key")).isNull();
    }

    @Test
    void regexAliasIsTheWholePathFromCaptures() {
        Regex regex = Regex.compile("^/users/(.+\\.png)$", false);
        scope.captures(regex.find("/users/a/b.png"));
        DocumentRoot alias = DocumentRoot.alias(t("/data/w3/images/$1"), prefix, DocumentRoot.WHOLE);
        assertThat(alias.filename(scope, "/users/a/b.png")).isEqualTo("/data/w3/images/a/b.png");
        assertThat(alias.resolve(scope, "/users/a/b.png")).isEqualTo(Path.of("/data/w3/images/a/b.png"));
        assertThat(alias.base()).isEqualTo(Path.of("/data/w3/images"));

        Regex loose = Regex.compile("^/files(.*)$", false);
        scope.captures(loose.find("/files../secret"));
        DocumentRoot escape = DocumentRoot.alias(t("/x/$1"), prefix, DocumentRoot.WHOLE);
        assertThat(escape.resolve(scope, "/files../secret")).isNull();
    }

    @Test
    void aRootWithVariablesIsBoundByItsLiteralPart() {
        scope.header("host", "..");
        scope.host = "..";
        DocumentRoot root = DocumentRoot.root(t("/var/www/$host"), prefix);
        assertThat(root.resolve(scope, "/index.html")).isNull();
        scope.host = "example.org";
        assertThat(root.resolve(scope, "/index.html")).isEqualTo(Path.of("/var/www/example.org/index.html"));
    }
}
