package io.ferry.stream;

import io.ferry.proxy.ProxySsl;
import io.ferry.log.AccessLog;
import io.ferry.model.Listen;
import io.ferry.tls.Tls;
import io.ferry.upstream.Upstream;
import io.ferry.variable.Template;
import java.time.Duration;
import java.util.List;

/**
 * A server of the stream block: its listening sockets (TLS is terminated when a listen has
 * {@code ssl}; proxy_protocol_timeout bounds the wait for a PROXY protocol header; proxy_protocol
 * sends one to the upstream), its phase handlers (those of the preread phase see at most
 * preread_buffer_size bytes and wait for them up to preread_timeout), the upstream group {@code proxy_pass} names (an implicit one
 * for a plain address; with variables, {@code passValue} finds it per session) or, with {@code return} instead, the text sent before the session ends (upstream null),
 * the idle {@code proxy_timeout} of the relay, connect timeout, next-upstream rules for connect
 * failures ({@code nextUpstreamTries} 0 = unlimited, {@code nextUpstreamTimeout} zero = unlimited),
 * {@code proxy_half_close} (one side's end of input is passed on rather than ending the session),
 * its limit_conn lines, proxy_download_rate and proxy_upload_rate (bytes a second each way, 0 for
 * no limit), {@code proxySsl} (proxy_ssl on and its proxy_ssl_* family; null when off), and the access logs
 * written when a session ends, and its "listen ... udp" sockets with the datagram counts that end a UDP
 * session ({@link Udp}).
 */
public record StreamServer(
        List<Listen> listens,
        Tls tls,
        Duration sslHandshakeTimeout,
        Duration proxyProtocolTimeout,
        boolean proxyProtocol,
        StreamPhases phases,
        int prereadBufferSize,
        Duration prereadTimeout,
        Upstream upstream,
        StreamPassValue passValue,
        Template returnText,
        Duration proxyTimeout,
        Duration connectTimeout,
        boolean nextUpstream,
        int nextUpstreamTries,
        Duration nextUpstreamTimeout,
        boolean halfClose,
        StreamLimitConn limitConn,
        long downloadRate,
        long uploadRate,
        ProxySsl proxySsl,
        List<AccessLog> accessLogs,
        Udp udp,
        String file,
        int line) {

    /**
     * The server's "listen ... udp" sockets; proxy_responses (datagrams back per client datagram
     * that end a session, -1 for no limit) and proxy_requests (client datagrams a session takes,
     * 0 for no limit).
     */
    public record Udp(List<Listen> listens, int responses, int requests) {
    }
}
