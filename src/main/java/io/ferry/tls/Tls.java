package io.ferry.tls;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import java.nio.file.Path;
import java.util.List;

/**
 * ssl_* settings of a server. {@code selfSigned} (a Ferry directive) creates the certificate and key
 * at the configured paths on first start when they do not exist.
 */
public record Tls(Path certificate, Path key, List<String> protocols, String ciphers, boolean selfSigned,
        TlsSessions sessions) {

    /**
     * The legacy {@code ssl on|off}: on makes every listen of the server TLS, as nginx did before 1.25,
     * with nginx's warning on standard error, where nginx writes what it finds while reading its configuration.
     */
    public static boolean legacySwitch(Directive d) throws ConfException {
        boolean on = Values.flag(d);
        System.err.println("ferry: [warn] the \"ssl\" directive is deprecated, use the \"listen ... ssl\" directive instead in "
                + d.file() + ":" + d.line());
        return on;
    }
}
