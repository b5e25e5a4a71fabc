package io.ferry.tls;

import java.nio.file.Path;
import java.security.PrivateKey;

/**
 * One ssl_certificate and the ssl_certificate_key of the same rank; {@code decryptedKey} is the key
 * opened with ssl_password_file, null without one.
 */
public record ServerCertificate(Path certificate, Path key, PrivateKey decryptedKey) {
}
