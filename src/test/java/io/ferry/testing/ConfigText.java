package io.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.FerryConfig;
import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /** "DETAIL:LINE" of the error {@code http { BODY }} must raise, the line counted in the whole file. */
    public String httpErrorLine(String httpBody) throws IOException {
        ConfException e = httpError(httpBody);
        return e.detail() + ":" + e.line();
    }

    /** "DETAIL:LINE" of the error {@code http { BODY }} must raise, the line counted within BODY. */
    public String httpErrorAt(String httpBody) throws IOException {
        ConfException e = httpError(httpBody);
        return e.detail() + ":" + (e.line() - 1);
    }

    /**
     * The location of {@code server} at {@code path}: a sibling of that path, else the one whose prefix
     * it is, searched through its nested locations.
     */
    public static Location location(VirtualServer server, String path) {
        return location(server.locations(), path);
    }

    private static Location location(List<Location> locations, String path) {
        for (Location l : locations) {
            if (l.path().equals(path)) {
                return l;
            }
        }
        for (Location l : locations) {
            if (path.startsWith(l.path())) {
                return location(l.nested(), path);
            }
        }
        throw new AssertionError("no location " + path);
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
