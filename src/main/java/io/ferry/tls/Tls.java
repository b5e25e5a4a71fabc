package io.ferry.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * ssl_* settings of a server. {@code selfSigned} (a Ferry directive) creates the certificate and key
 * at the configured paths on first start when they do not exist.
 */
public record Tls(Path certificate, Path key, List<String> protocols, String ciphers, boolean selfSigned) {
}
