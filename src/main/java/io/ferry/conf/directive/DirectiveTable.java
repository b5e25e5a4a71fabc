package io.ferry.conf.directive;

import io.ferry.module.DirectiveRows;
import io.ferry.conf.Context;
import static io.ferry.conf.Context.EVENTS;
import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LIMIT_EXCEPT;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.MAIN;
import static io.ferry.conf.Context.MAP;
import static io.ferry.conf.Context.SERVER;
import static io.ferry.conf.Context.TYPES;
import static io.ferry.conf.Context.STREAM;
import static io.ferry.conf.Context.UPSTREAM;

import io.ferry.module.Modules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every directive Ferry understands. Anything else is rejected as an unknown directive with file:line. */
public final class DirectiveTable {
    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);
    private static final Set<Context> HS = EnumSet.of(HTTP, SERVER);
    /** nginx's hash tables whose *_bucket_size and *_max_size are accepted, checked, and need nothing in Java. */
    static final List<String> HASHES = List.of("server_names_hash", "map_hash", "types_hash", "variables_hash",
            "proxy_headers_hash");
    /** A name may have different rows per context: "server" is a block in http, a line in upstream. */
    private static final Map<String, List<DirectiveSpec>> SPECS = new LinkedHashMap<>();

    static {
        // main and events
        one("worker_processes", EnumSet.of(MAIN));
        add("error_log", EnumSet.of(MAIN, HTTP, SERVER, LOCATION), 1, 2, null, true);
        one("pid", EnumSet.of(MAIN));
        one("daemon", EnumSet.of(MAIN));
        one("master_process", EnumSet.of(MAIN));
        add("user", EnumSet.of(MAIN), 1, 2, null, false);
        one("worker_rlimit_nofile", EnumSet.of(MAIN));
        add("events", EnumSet.of(MAIN), 0, 0, EVENTS, false);
        one("worker_connections", EnumSet.of(EVENTS));
        one("multi_accept", EnumSet.of(EVENTS));
        one("accept_mutex", EnumSet.of(EVENTS));
        one("use", EnumSet.of(EVENTS));
        add("http", EnumSet.of(MAIN), 0, 0, HTTP, false);

        // http core
        add("server", EnumSet.of(HTTP), 0, 0, SERVER, true);
        add("map", EnumSet.of(HTTP, STREAM), 2, 2, MAP, true);
        add("types", HSL, 0, 0, TYPES, true);
        one("default_type", HSL);
        add("listen", EnumSet.of(SERVER), 1, DirectiveRows.ANY, null, true);
        add("server_name", EnumSet.of(SERVER), 1, DirectiveRows.ANY, null, true);
        add("location", EnumSet.of(SERVER, LOCATION), 1, 2, LOCATION, true);
        one("root", HSL);
        one("alias", EnumSet.of(LOCATION));
        add("index", HSL, 1, DirectiveRows.ANY, null, true);
        one("client_max_body_size", HSL);
        add("keepalive_timeout", HSL, 1, 2, null, false);
        add("error_page", EnumSet.of(HTTP, SERVER, LOCATION, IF), 2, DirectiveRows.ANY, null, true);
        add("try_files", EnumSet.of(SERVER, LOCATION), 2, DirectiveRows.ANY, null, false);
        add("internal", EnumSet.of(LOCATION), 0, 0, null, false);
        add("limit_except", EnumSet.of(LOCATION), 1, DirectiveRows.ANY, LIMIT_EXCEPT, false);
        one("satisfy", HSL);
        for (String flag : new String[] {"absolute_redirect", "server_name_in_redirect", "port_in_redirect", "log_not_found"}) {
            one(flag, HSL);
        }
        for (String hash : HASHES) {
            Set<Context> where = hash.equals("types_hash") || hash.equals("proxy_headers_hash") ? HSL : EnumSet.of(HTTP);
            one(hash + "_bucket_size", where);
            one(hash + "_max_size", where);
        }
        one("pcre_jit", EnumSet.of(MAIN));
        one("sendfile", HSL);
        one("tcp_nopush", HSL);
        one("tcp_nodelay", HSL);
        for (String temp : new String[] {"client_body"}) {
            add(temp + "_temp_path", HSL, 1, 4, null, false);
        }

        // client limits and timeouts
        one("client_header_buffer_size", HS);
        add("large_client_header_buffers", HS, 2, 2, null, false);
        one("client_header_timeout", HS);
        one("client_body_timeout", HSL);
        one("send_timeout", HSL);
        one("keepalive_requests", HSL);
        one("keepalive_time", HSL);
        add("keepalive_disable", HSL, 1, DirectiveRows.ANY, null, true);

        // tls
        add("ssl_certificate", HS, 1, 1, null, true);
        add("ssl_certificate_key", HS, 1, 1, null, true);
        add("ssl_protocols", HS, 1, DirectiveRows.ANY, null, false);
        one("ssl_ciphers", HS);
        one("ssl_self_signed", HS);
        one("ssl", HS);
        add("ssl_session_cache", HS, 1, 2, null, false);
        one("ssl_session_timeout", HS);
        one("ssl_session_tickets", HS);
        one("ssl_prefer_server_ciphers", HS);
        one("ssl_dhparam", HS);
        one("ssl_verify_client", HS);
        one("ssl_client_certificate", HS);
        one("ssl_trusted_certificate", HS);
        one("ssl_verify_depth", HS);
        one("ssl_crl", HS);
        one("ssl_stapling", HS);
        one("ssl_stapling_file", HS);
        one("ssl_stapling_responder", HS);
        one("ssl_stapling_verify", HS);
        one("ssl_reject_handshake", HS);
        one("ssl_ecdh_curve", HS);
        one("ssl_password_file", HS);
        add("ssl_session_ticket_key", HS, 1, 1, null, true);

        // upstream
        add("upstream", EnumSet.of(HTTP), 1, 1, UPSTREAM, true);
        add("server", EnumSet.of(UPSTREAM), 1, DirectiveRows.ANY, null, true);
        add("least_conn", EnumSet.of(UPSTREAM), 0, 0, null, false);
        add("ip_hash", EnumSet.of(UPSTREAM), 0, 0, null, false);
        add("hash", EnumSet.of(UPSTREAM), 1, 2, null, false);
        one("keepalive", EnumSet.of(UPSTREAM));
        one("keepalive_timeout", EnumSet.of(UPSTREAM));
        one("keepalive_requests", EnumSet.of(UPSTREAM));
        one("keepalive_time", EnumSet.of(UPSTREAM));

        one("worker_shutdown_timeout", EnumSet.of(MAIN));

        Modules.directives(DirectiveTable::add);

        // demo
        add("demo_backend", EnumSet.of(HTTP), 1, 1, null, true);
    }

    private DirectiveTable() {
    }

    private static void one(String name, Set<Context> contexts) {
        add(name, contexts, 1, 1, null, false);
    }

    private static void add(String name, Set<Context> contexts, int min, int max, Context block, boolean multiple) {
        SPECS.computeIfAbsent(name, n -> new ArrayList<>())
                .add(new DirectiveSpec(name, Set.copyOf(contexts), min, max, block, multiple));
    }

    /** Every directive name Ferry reads, core and modules (what README's directive list must cover). */
    public static Set<String> names() {
        return Set.copyOf(SPECS.keySet());
    }

    public static boolean isKnown(String name) {
        return SPECS.containsKey(name);
    }

    /** The row for this name in this context, or null when the directive is not allowed there. */
    public static DirectiveSpec get(String name, Context context) {
        for (DirectiveSpec spec : SPECS.getOrDefault(name, List.of())) {
            if (spec.contexts().contains(context)) {
                return spec;
            }
        }
        return null;
    }

    /** Names whose block contents are not directives (validated by their own builder). */
    static boolean isFreeForm(Context c) {
        return c == MAP || c == TYPES;
    }
}
