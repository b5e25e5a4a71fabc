package io.ferry.stream;

import static io.ferry.conf.Context.MAIN;
import static io.ferry.conf.Context.STREAM;
import static io.ferry.conf.Context.STREAM_SERVER;
import static io.ferry.conf.Context.STREAM_UPSTREAM;

import io.ferry.conf.Context;
import io.ferry.proxy.ProxySsl;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Module;
import java.util.EnumSet;
import java.util.Set;

/**
 * The stream block (nginx's ngx_stream_core/proxy/return/upstream/ssl/log modules): its directive rows,
 * and those of the modules {@link StreamModules} lists.
 * {@link StreamSettings} builds its configuration, {@link StreamServers} serves it.
 */
public final class StreamModule implements Module {
    @Override
    public String name() {
        return "stream";
    }

    @Override
    public void directives(DirectiveRows t) {
        Set<Context> ss = EnumSet.of(STREAM, STREAM_SERVER);
        t.add("stream", EnumSet.of(MAIN), 0, 0, STREAM, false);
        t.add("upstream", EnumSet.of(STREAM), 1, 1, STREAM_UPSTREAM, true);
        t.add("server", EnumSet.of(STREAM), 0, 0, STREAM_SERVER, true);
        t.add("server", EnumSet.of(STREAM_UPSTREAM), 1, DirectiveRows.ANY, null, true);
        t.add("least_conn", EnumSet.of(STREAM_UPSTREAM), 0, 0, null, false);
        t.add("hash", EnumSet.of(STREAM_UPSTREAM), 1, 2, null, false);
        t.add("listen", EnumSet.of(STREAM_SERVER), 1, DirectiveRows.ANY, null, true);
        t.add("proxy_pass", EnumSet.of(STREAM_SERVER), 1, 1, null, false);
        t.add("return", EnumSet.of(STREAM_SERVER), 1, 1, null, false);
        for (String name : new String[] {"proxy_timeout", "proxy_connect_timeout", "proxy_next_upstream",
                "proxy_next_upstream_tries", "proxy_next_upstream_timeout", "proxy_half_close", "proxy_buffer_size", "tcp_nodelay",
                "proxy_download_rate", "proxy_upload_rate", "proxy_responses", "proxy_requests",
                "ssl_ciphers", "ssl_handshake_timeout", "proxy_protocol_timeout", "proxy_protocol",
                "preread_buffer_size", "preread_timeout"}) {
            t.add(name, ss, 1, 1, null, false);
        }
        t.add("ssl_protocols", ss, 1, DirectiveRows.ANY, null, false);
        // as in http: several certificates (RSA and ECDSA), each key opened with the password file
        t.add("ssl_certificate", ss, 1, 1, null, true);
        t.add("ssl_certificate_key", ss, 1, 1, null, true);
        t.add("ssl_password_file", ss, 1, 1, null, false);
        t.add("ssl_ecdh_curve", ss, 1, 1, null, false);
        t.add("ssl_session_ticket_key", ss, 1, 1, null, true);
        t.add("proxy_ssl", ss, 1, 1, null, false);
        ProxySsl.directives(t, ss);
        t.add("ssl_session_cache", ss, 1, 2, null, false);
        for (String name : new String[] {"ssl_session_timeout", "ssl_session_tickets", "ssl_prefer_server_ciphers",
                "ssl_dhparam", "ssl_verify_client", "ssl_client_certificate", "ssl_trusted_certificate", "ssl_verify_depth",
                "ssl_crl"}) {
            t.add(name, ss, 1, 1, null, false);
        }
        t.add("access_log", ss, 1, DirectiveRows.ANY, null, true);
        t.add("error_log", ss, 1, 2, null, true);
        t.add("log_format", EnumSet.of(STREAM), 2, DirectiveRows.ANY, null, true);
        t.add("limit_conn_zone", EnumSet.of(STREAM), 2, 2, null, true);
        t.add("limit_conn", ss, 2, 2, null, true);
        t.add("limit_conn_log_level", ss, 1, 1, null, false);
        t.add("limit_conn_dry_run", ss, 1, 1, null, false);
        StreamModules.directives(t);
    }
}
