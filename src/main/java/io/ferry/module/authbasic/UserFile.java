package io.ferry.module.authbasic;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An htpasswd file read as nginx reads it: lines of "user:password[:comment]", a line starting with
 * '#' or CR skipped, the first line of the user deciding; the password ends at CR, LF, ':' or the
 * end of the file. Bytes are compared as they are, so a name is found in whatever encoding both sides use.
 */
final class UserFile {

    private UserFile() {
    }

    /** The stored password of {@code user} (its bytes as ISO-8859-1 characters), or null when no line names the user. */
    static String password(Path file, byte[] user) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            int matched = 0;
            boolean skip = false;
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (skip) {
                    if (b == '\n') {
                        skip = false;
                        matched = 0;
                    }
                } else if (b == '\n') {
                    matched = 0;
                } else if (matched == 0 && (b == '#' || b == '\r')) {
                    skip = true;
                } else if (matched == user.length) {
                    if (b == ':') {
                        return rest(in);
                    }
                    skip = true;
                } else if (b == (user[matched] & 0xff)) {
                    matched++;
                } else {
                    skip = true;
                }
            }
            return null;
        }
    }

    private static String rest(InputStream in) throws IOException {
        ByteArrayOutputStream password = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n' && b != '\r' && b != ':'; b = in.read()) {
            password.write(b);
        }
        return password.toString(StandardCharsets.ISO_8859_1);
    }
}
