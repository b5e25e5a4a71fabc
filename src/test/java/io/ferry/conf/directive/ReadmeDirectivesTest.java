package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README is the operator's list of what Ferry reads: every directive the configuration loader
 * knows is named there (in backquotes, alone or with its arguments, or as a family such as
 * {@code `map_hash_*`}), so none is supported in secret.
 */
class ReadmeDirectivesTest {
    @Test
    void everyDirectiveFerryReadsIsNamedInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> missing = DirectiveTable.names().stream()
                .filter(name -> !Pattern.compile("`" + Pattern.quote(name) + "[`\\s;{]").matcher(readme).find())
                .filter(name -> !familyNamed(readme, name))
                .sorted()
                .toList();
        assertThat(missing).as("directives README does not name").isEmpty();
    }

    private static boolean familyNamed(String readme, String name) {
        for (int end = name.indexOf('_'); end > 0; end = name.indexOf('_', end + 1)) {
            if (readme.contains("`" + name.substring(0, end + 1) + "*`")) {
                return true;
            }
        }
        return false;
    }
}
