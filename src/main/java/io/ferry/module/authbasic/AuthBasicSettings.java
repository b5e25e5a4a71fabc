package io.ferry.module.authbasic;

import io.ferry.variable.Template;
import java.nio.file.Path;

/**
 * auth_basic and auth_basic_user_file at one level; {@link #OFF} where either is missing or the
 * realm is the word "off". A relative file name is taken from {@code confPrefix}, as in nginx.
 */
record AuthBasicSettings(Template realm, Template userFile, Path confPrefix) {
    static final AuthBasicSettings OFF = new AuthBasicSettings(null, null, null);
}
