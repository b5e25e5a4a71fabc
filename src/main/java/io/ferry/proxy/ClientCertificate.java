package io.ferry.proxy;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.module.Level;
import io.ferry.variable.ConnectionScope;
import io.ferry.variable.Template;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * proxy_ssl_certificate, proxy_ssl_certificate_key and proxy_ssl_password_file: the certificate
 * shown to an upstream that asks for one. Paths with variables are evaluated for each connection
 * (nginx 1.21's behaviour); constant ones are loaded while the configuration is read.
 */
public record ClientCertificate(Template certificate, Template key, List<String> passwords, Path prefix) {

    static ClientCertificate parse(Level level) throws ConfException {
        Directive cert = level.inherited("proxy_ssl_certificate");
        if (cert == null) {
            return null;
        }
        Directive key = level.inherited("proxy_ssl_certificate_key");
        if (key == null) {
            throw Values.error(cert, "no \"proxy_ssl_certificate_key\" is defined for certificate \""
                    + cert.args().get(0) + "\"");
        }
        List<String> passwords = List.of();
        Directive file = level.inherited("proxy_ssl_password_file");
        if (file != null) {
            passwords = passwords(file, level.confPrefix().resolve(file.args().get(0)));
        }
        ClientCertificate c = new ClientCertificate(level.template(cert, cert.args().get(0)),
                level.template(key, key.args().get(0)), passwords, level.confPrefix());
        if (c.isConstant()) {
            try {
                c.apply(SslContextBuilder.forClient(), null);
            } catch (IOException e) {
                throw Values.error(cert, e.getMessage());
            }
        }
        return c;
    }

    /** nginx's ngx_ssl_read_password_file: one password a line, each tried in turn. */
    private static List<String> passwords(Directive d, Path path) throws ConfException {
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readString(path, StandardCharsets.ISO_8859_1).split("\n", -1)) {
                String p = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
            if (out.isEmpty()) {
                throw Values.error(d, "empty file \"" + path + "\"");
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw Values.error(d, "cannot open file \"" + path + "\"");
        }
    }

    boolean isConstant() {
        return certificate.isConstant() && key.isConstant();
    }

    /** The certificate and key files of a connection: {@code scope} is only read for paths with variables. */
    List<Path> files(ConnectionScope scope) {
        return List.of(prefix.resolve(certificate.render(scope)), prefix.resolve(key.render(scope)));
    }

    /** Puts the certificate and its key, decrypted by the first password that fits, on a client context. */
    SslContextBuilder apply(SslContextBuilder builder, ConnectionScope scope) throws IOException {
        List<Path> files = files(scope);
        List<String> tries = passwords.isEmpty() ? java.util.Collections.singletonList(null) : passwords;
        for (String password : tries) {
            try {
                return builder.keyManager(files.get(0).toFile(), files.get(1).toFile(), password);
            } catch (IllegalArgumentException e) {
                // the wrong password, or an unreadable file: the next password, then the error
            }
        }
        throw new IOException("cannot load certificate \"" + files.get(0) + "\" or key \"" + files.get(1)
                + "\": PEM_read_bio_PrivateKey() failed");
    }
}
