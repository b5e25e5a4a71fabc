package io.ferry.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
        for (String name : List.of("a.conf", "b.conf", "c.conf", "ab.conf", ".a.conf", "x.txt", "star*.conf",
                "sites/one/site.conf", "sites/two/site.conf", "sites/two/other.conf", "sites/.off/site.conf")) {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "");
        }
    }

    private List<String> expand(String pattern) {
        return Glob.expand(dir, pattern).stream().map(p -> dir.relativize(p).toString()).toList();
    }

    @Test
    void detectsPatternsByTheSameCharactersAsNginx() {
        assertThat(Glob.isPattern("conf.d/*.conf")).isTrue();
        assertThat(Glob.isPattern("site?.conf")).isTrue();
        assertThat(Glob.isPattern("[ab].conf")).isTrue();
        assertThat(Glob.isPattern("mime.types")).isFalse();
        assertThat(Glob.isPattern("{a,b}.conf")).isFalse();
    }

    @Test
    void starMatchesAnyRunAndResultsAreSortedByName() {
        assertThat(expand("*.conf")).containsExactly("a.conf", "ab.conf", "b.conf", "c.conf", "star*.conf");
    }

    @Test
    void leadingDotMustBeMatchedExplicitly() {
        assertThat(expand("*a.conf")).containsExactly("a.conf");
        assertThat(expand(".*.conf")).containsExactly(".a.conf");
    }

    @Test
    void questionMarkMatchesExactlyOneCharacter() {
        assertThat(expand("?.conf")).containsExactly("a.conf", "b.conf", "c.conf");
    }

    @Test
    void bracketExpressionsWithRangesAndNegation() {
        assertThat(expand("[ab].conf")).containsExactly("a.conf", "b.conf");
        assertThat(expand("[a-b].conf")).containsExactly("a.conf", "b.conf");
        assertThat(expand("[!a].conf")).containsExactly("b.conf", "c.conf");
        assertThat(expand("[^ab].conf")).containsExactly("c.conf");
    }

    @Test
    void unclosedBracketIsLiteral() {
        assertThat(expand("[a.conf")).isEmpty();
    }

    @Test
    void backslashEscapesAWildcard() {
        assertThat(expand("star\\*.conf")).containsExactly("star*.conf");
    }

    @Test
    void wildcardsWorkInDirectoryComponentsAndSortWholePaths() {
        assertThat(expand("sites/*/site.conf")).containsExactly("sites/one/site.conf", "sites/two/site.conf");
        assertThat(expand("sites/*/*")).containsExactly(
                "sites/one/site.conf", "sites/two/other.conf", "sites/two/site.conf");
    }

    @Test
    void absolutePatternIgnoresTheBase(@TempDir Path other) {
        List<Path> found = Glob.expand(other, dir.resolve("?.conf").toString());

        assertThat(found).containsExactly(dir.resolve("a.conf"), dir.resolve("b.conf"), dir.resolve("c.conf"));
    }

    @Test
    void missingDirectoryMatchesNothing() {
        assertThat(expand("nope/*.conf")).isEmpty();
    }
}
