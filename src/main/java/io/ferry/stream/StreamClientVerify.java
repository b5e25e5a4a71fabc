package io.ferry.stream;

import io.ferry.tls.ClientVerify;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/**
 * nginx's stream SSL phase after the handshake (ngx_stream_ssl_handler): with ssl_verify_client,
 * a client certificate that failed (optional_no_ca forgives an unknown issuer) or, with "on", no
 * certificate at all ends the session before the upstream is connected, as an internal error (500),
 * with nginx's info line. Stream has no request to answer 495/496 with.
 */
final class StreamClientVerify {
    private StreamClientVerify() {
    }

    /** Why the client's certificate is refused, in nginx's words, or null to go on. */
    static String refusal(StreamServer server, Channel client) {
        SslHandler ssl = client.pipeline().get(SslHandler.class);
        if (ssl == null || server.tls() == null) {
            return null;
        }
        ClientVerify verify = server.tls().clientVerify();
        return switch (verify.refusal(client, ssl.engine())) {
            case 0 -> null;
            case 496 -> "client sent no required SSL certificate";
            default -> "client SSL certificate verify error: (" + verify.result(client, ssl.engine()).substring("FAILED:".length()) + ")";
        };
    }
}
