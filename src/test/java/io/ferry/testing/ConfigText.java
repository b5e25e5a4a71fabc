package io.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.FerryConfig;
import io.ferry.model.VirtualServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A configuration text loaded the way Ferry loads its file: what it builds, or the error -t would print. */
public final class ConfigText {
    private final Path file;

    public ConfigText(Path dir) {
        this.file = dir.resolve("ferry.conf");
    }

    public Path file() {
        return file;
    }

    public FerryConfig load(String text) throws Exception {
        write(text);
        return ConfigLoader.load(file.getParent(), file, null).config();
    }

    /** The first server of {@code http { BODY }}. */
    public VirtualServer server(String httpBody) throws Exception {
        return load(http(httpBody)).http().servers().get(0);
    }

    /** The error loading {@code text} must raise. */
    public ConfException error(String text) throws IOException {
        write(text);
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(file.getParent(), file, null));
        assertThat(e).as("expected a configuration error").isNotNull();
        return e;
    }

    /** The error {@code http { BODY }} must raise. */
    public ConfException httpError(String httpBody) throws IOException {
        return error(http(httpBody));
    }

    /** What an error at {@code line} of this file prints: "DETAIL in FILE:LINE". */
    public String at(String detail, int line) {
        return detail + " in " + file + ":" + line;
    }

    private static String http(String body) {
        return "http {\n" + body + "\n}\n";
    }

    private void write(String text) throws IOException {
        Files.writeString(file, text);
    }
}
