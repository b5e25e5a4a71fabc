package io.ferry.conf.directive;

import io.ferry.conf.Context;
import io.ferry.conf.ConfException;
import io.ferry.conf.ConfParser;
import io.ferry.conf.Directive;
import io.ferry.conf.ParsedConfig;
import io.ferry.model.FerryConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Text to model: parse (with includes), append -g directives, validate against the table, build. */
public final class ConfigLoader {
    public record Loaded(FerryConfig config, ParsedConfig parsed) {
    }

    private ConfigLoader() {
    }

    public static Loaded load(Path prefix, Path confFile, String globalDirectives) throws ConfException {
        ParsedConfig parsed = ConfParser.parseFile(confFile);
        List<Directive> all = new ArrayList<>();
        // nginx reads -g first, so a directive repeated in the file is reported at the file's line.
        if (globalDirectives != null && !globalDirectives.isBlank()) {
            Path confDir = confFile.toAbsolutePath().getParent();
            all.addAll(ConfParser.parseString(globalDirectives, "command line", confDir).directives());
        }
        all.addAll(parsed.directives());
        Validator.check(all, Context.MAIN);
        return new Loaded(new ConfigBuilder(prefix, confFile).build(all), parsed);
    }
}
