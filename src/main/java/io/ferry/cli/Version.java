package io.ferry.cli;

import io.ferry.http.product.ServerTokens;
import io.ferry.module.Modules;
import io.ferry.stream.StreamModules;
import io.ferry.tls.TlsContexts;
import java.util.ArrayList;
import java.util.List;

/** What -v and -V print, in nginx's shape so tools that parse "nginx -V" understand it. */
final class Version {
    static final String NUMBER = ServerTokens.VERSION;

    /** nginx modules Ferry implements, and the built-in ones it lacks, in ./configure spelling. */
    private static final String CONFIGURE = String.join(" ",
            "--with-http_ssl_module",
            "--with-http_stub_status_module",
            "--with-http_realip_module",
            "--without-http_v2_module",
            "--without-http_v3_module",
            "--without-http_gzip_module",
            "--without-http_ssi_module",
            "--without-http_userid_module",
            "--without-http_auth_basic_module",
            "--without-http_mirror_module",
            "--without-http_autoindex_module",
            "--without-http_geo_module",
            "--without-http_split_clients_module",
            "--without-http_referer_module",
            "--without-http_grpc_module",
            "--without-http_limit_conn_module",
            "--without-http_limit_req_module",
            "--without-http_empty_gif_module",
            "--without-http_browser_module",
            "--without-http_upstream_random_module",
            "--without-http_upstream_zone_module",
            "--with-stream",
            "--with-stream_ssl_module",
            "--with-stream_ssl_preread_module",
            "--without-mail_pop3_module",
            "--without-mail_imap_module",
            "--without-mail_smtp_module",
            "--without-stream_access_module",
            "--without-stream_geo_module",
            "--without-stream_split_clients_module",
            "--without-stream_set_module",
            "--without-stream_upstream_random_module",
            "--without-stream_upstream_zone_module");

    private Version() {
    }

    static String shortLine() {
        return "ferry version: ferry/" + NUMBER;
    }

    static String full() {
        return shortLine() + "\n"
                + "built with " + TlsContexts.libraryName() + " on Java " + System.getProperty("java.version") + "\n"
                + "TLS SNI support enabled\n"
                + "configure arguments: " + configureArguments();
    }

    /** The fixed list less the modules registered since it was written, plus what those modules print. */
    private static String configureArguments() {
        List<String> words = new ArrayList<>();
        for (String w : CONFIGURE.split(" ")) {
            if (!(w.startsWith("--without-") && (Modules.names().contains(w.substring(10)) || StreamModules.names().contains(w.substring(10))))) {
                words.add(w);
            }
        }
        words.addAll(Modules.configureArguments());
        words.addAll(StreamModules.configureArguments());
        return String.join(" ", words);
    }
}
