package io.ferry.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.ConfException;
import io.ferry.conf.ConfParser;
import io.ferry.conf.directive.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated configuration texts: the parser (ConfParser.parseString) and the whole loader
 * (ConfigLoader.load: parse, validate, build) may only succeed or throw ConfException, never
 * another exception, never hang (a watchdog fails any single text that takes over 10 s).
 */
@Timeout(240)
class ConfigFuzzTest {
    /** The figures the README states: every one of these texts runs, none is skipped for time. */
    static final int PARSER_CASES = 100_000;
    static final int LOADER_CASES = 10_000;
    static final long HANG_MILLIS = 10_000;

    static final String SEED_FULL = """
            worker_processes 2;
            error_log logs/error.log warn;
            pid logs/ferry.pid;
            worker_shutdown_timeout 10s;
            events { worker_connections 1024; multi_accept on; }
            http {
                include mime.types;
                default_type application/octet-stream;
                client_max_body_size 8m;
                client_header_buffer_size 1k;
                large_client_header_buffers 4 8k;
                client_header_timeout 10s;
                client_body_timeout 1m30s;
                send_timeout 500ms;
                keepalive_timeout 75s;
                keepalive_requests 100;
                log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent';
                access_log logs/access.log main buffer=32k flush=5s;
                map $http_upgrade $connection_upgrade { default upgrade; '' close; ~^(?<v>ws)$ $v; }
                map $host $tenant { hostnames; default none; *.example.com ex; }
                upstream app { least_conn; server 127.0.0.1:8080 weight=3 max_fails=2 fail_timeout=10s; server 127.0.0.1:8081 backup; keepalive 16; keepalive_timeout 30s; }
                upstream hashed { hash $request_uri consistent; server 127.0.0.1:9000; server 127.0.0.1:9001 down; }
                upstream sticky { ip_hash; server 127.0.0.1:9100; server 127.0.0.1:9101; }
                set_real_ip_from 10.0.0.0/8;
                real_ip_header X-Forwarded-For;
                real_ip_recursive on;
                server {
                    listen 127.0.0.1:8080 default_server;
                    listen [::1]:8080;
                    server_name example.com *.example.com ~^(?<sub>.+)\\.example\\.org$;
                    root html;
                    index index.html index.htm;
                    error_page 404 /404.html;
                    error_page 500 502 503 504 =200 @fallback;
                    add_header X-Frame-Options DENY always;
                    location / { try_files $uri $uri/ =404; }
                    location = /exact { return 200 "exact $uri $arg_x"; }
                    location ^~ /static/ { expires 1h; alias html/static/; }
                    location ~* \\.(png|jpg)$ { expires max; }
                    location /api/ {
                        proxy_pass http://app/v1/;
                        proxy_http_version 1.1;
                        proxy_set_header Host $host;
                        proxy_set_header Connection "";
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_connect_timeout 5s;
                        proxy_read_timeout 60s;
                        proxy_send_timeout 60s;
                        proxy_next_upstream error timeout http_502 non_idempotent;
                        proxy_next_upstream_tries 3;
                        proxy_next_upstream_timeout 10s;
                        proxy_buffer_size 4k;
                        proxy_hide_header X-Powered-By;
                        proxy_pass_header Server;
                        proxy_intercept_errors on;
                        location /api/inner/ { proxy_pass http://hashed; }
                    }
                    location /wss {
                        proxy_pass http://127.0.0.1:8888;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_websocket off;
                    }
                    location @fallback { return 302 https://example.com$request_uri; }
                    location /status { stub_status; allow 127.0.0.1; deny all; }
                    location /metrics { metrics; allow ::1; allow 192.168.0.0/16; deny all; }
                    location /rw {
                        rewrite ^/rw/(.*)$ /$1 last;
                        set $x "y";
                        if ($x = y) { return 418; }
                        if ($http_user_agent ~* bot) { return 403; }
                        if (-f $request_filename) { break; }
                    }
                    location /php/ {
                        fastcgi_pass 127.0.0.1:9000;
                        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                        fastcgi_index index.php;
                        fastcgi_split_path_info ^(.+\\.php)(/.+)$;
                    }
                    location /mc { set $memcached_key $uri; memcached_pass 127.0.0.1:11211; }
                }
                server {
                    listen 8443 ssl;
                    server_name secure.test;
                    ssl_certificate ssl/c.pem;
                    ssl_certificate_key ssl/k.pem;
                    ssl_protocols TLSv1.2 TLSv1.3;
                    ssl_ciphers HIGH:!aNULL:!MD5;
                    ssl_self_signed on;
                    location / { proxy_pass https://127.0.0.1:9443; }
                }
            }
            stream {
                upstream db { server 127.0.0.1:5432; }
                server { listen 15432; proxy_pass db; proxy_timeout 10m; proxy_connect_timeout 1s; }
            }
            """;

    static final String SEED_README = """
            events { worker_connections 10240; }

            http {
                server {
                    listen 443 ssl;
                    server_name example.com;
                    ssl_certificate     ssl/example.com.crt;
                    ssl_certificate_key ssl/example.com.key;
                    ssl_self_signed on;

                    location /wss
                        {
                             proxy_pass http://127.0.0.1:8888;
                             proxy_http_version 1.1;
                             proxy_set_header Upgrade $http_upgrade;
                             proxy_set_header Connection "Upgrade";
                            proxy_set_header X-Real-IP $remote_addr;
                         }
                    location /Tomcat
                        {
                             proxy_pass http://127.0.0.1:8080;
                             proxy_http_version 1.1;
                            proxy_set_header X-Real-IP $remote_addr;
                         }
                }
            }
            """;

    static final String SEED_SMALL = """
            http { server { listen 8080; location / { return 200 'ok'; } location ~ ^/(?<a>x)(y)$ { return 301 /$a$2; } } }
            """;

    static final String[] SEEDS = {SEED_FULL, SEED_README, SEED_SMALL};

    /** Directive names Ferry knows (DirectiveTable) and a few it does not. */
    static final String[] DIRECTIVES = ("worker_processes error_log pid daemon master_process user worker_rlimit_nofile events "
            + "worker_connections multi_accept accept_mutex use http server map types default_type listen server_name location "
            + "root alias index client_max_body_size keepalive_timeout return rewrite set break if error_page add_header expires "
            + "try_files internal rewrite_log uninitialized_variable_warn proxy_hide_header proxy_pass_header proxy_intercept_errors "
            + "server_names_hash_bucket_size server_names_hash_max_size server_tokens sendfile tcp_nopush tcp_nodelay access_log "
            + "log_format client_body_temp_path proxy_temp_path client_header_buffer_size large_client_header_buffers "
            + "client_header_timeout client_body_timeout send_timeout keepalive_requests proxy_buffer_size set_real_ip_from "
            + "real_ip_header real_ip_recursive ssl_certificate ssl_certificate_key ssl_protocols ssl_ciphers ssl_self_signed "
            + "proxy_pass proxy_http_version proxy_set_header proxy_connect_timeout proxy_read_timeout proxy_send_timeout "
            + "proxy_websocket proxy_next_upstream proxy_next_upstream_tries proxy_next_upstream_timeout upstream least_conn "
            + "ip_hash hash keepalive allow deny stub_status metrics worker_shutdown_timeout fastcgi_pass fastcgi_param "
            + "fastcgi_index fastcgi_split_path_info fastcgi_keep_conn fastcgi_buffers fastcgi_next_upstream demo_backend "
            + "memcached_pass memcached_key stream proxy_timeout ssl_handshake_timeout include gzip unknown_directive")
            .split(" ");

    static final String[] VALUES = {"0", "1", "-1", "65535", "65536", "99999999999999999999", "2147483648", "999999999",
            "1k", "8k", "1m", "1g", "999999999999g", "10s", "1m30s", "500ms", "999999999y", "1h 30m", "1s1s", "5x", "",
            "\"\"", "''", "on", "off", "auto", "all", "none", "default", "default_server", "ssl", "udp", "backup", "down",
            "weight=0", "weight=99999999999", "max_fails=-1", "fail_timeout=1y", "max_conns=1", "consistent", "last", "break",
            "redirect", "permanent", "=404", "=", "@x", "~", "~*", "^~", "/", "/a/", "*", "*.x", ".x", "x.*", "~^(a)$",
            "~^(?<n>a)$", "~(", "~[", "~*)", "~^(?<1>a)", "(?i)", "\\", "$", "$1", "$9", "$10", "${uri}", "${", "$uri",
            "$http_", "$cookie_", "$arg_", "$undefined_variable", "$remote_addr$", "127.0.0.1", "127.0.0.1:0",
            "127.0.0.1:99999", "[::1]:80", "[::1", "::1", "unix:/tmp/x.sock", "http://", "http://127.0.0.1:1", "https://[::1]:8443/x",
            "http://127.0.0.1:8080/$uri", "ftp://x", "http://app", "http://nosuchupstream", "10.0.0.0/33", "10.0.0.0/-1",
            "1.2.3", "0.0.0.0/0", "TLSv1", "SSLv3", "TLSv9", "HIGH:!aNULL", "NONE", "stderr", "logs/x.log", "buffer=0",
            "flush=0", "if=$x", "gzip=1", "escape=json", "escape=bogus", "100", "101", "200", "204", "301", "302", "399",
            "400", "499", "500", "599", "600", "http_403", "non_idempotent", "invalid_header", "bogus", "X-A", "\"a b\"",
            "'a;b'", "\"a\\\"b\"", "\"\\x\"", "{", "}", ";", "#", "(", ")", "!", "-f", "!-d", "-x", "=", "!=", "~*", "!~"};

    @TempDir
    Path dir;

    final List<String> failures = new CopyOnWriteArrayList<>();
    final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("mime.types"), "types { text/html html htm; image/png png; }\n");
        Files.createDirectories(dir.resolve("html/static"));
        Files.createDirectories(dir.resolve("logs"));
    }

    @Test
    void seedsLoad() throws Exception {
        for (String seed : SEEDS) {
            Path f = dir.resolve("seed.conf");
            Files.writeString(f, seed);
            ConfigLoader.load(dir, f, null);
        }
    }

    @Test
    void aHundredThousandMutatedTextsThroughTheParser() throws Exception {
        Random random = new Random(0xC0FFEE);
        Mutator m = new Mutator(random);
        long t0 = System.nanoTime();
        long n = run("parser", PARSER_CASES, m::next, text -> ConfParser.parseString(text, "fuzz", dir));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("[hardening] FUZZ config parser: %d texts in %d ms, outcomes %s%n", n, ms, outcomes);
        failures.forEach(f -> System.out.println("[hardening] FUZZ config failure: " + f));
        assertThat(failures).isEmpty();
        assertThat(n).isEqualTo(PARSER_CASES);
    }

    @Test
    void tenThousandMutatedTextsThroughTheWholeLoader() throws Exception {
        Random random = new Random(0xBADC0DE);
        Mutator m = new Mutator(random);
        Path file = dir.resolve("conf/fuzz.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file.resolveSibling("mime.types"), "types { text/html html; }\n");
        long t0 = System.nanoTime();
        long n = run("loader", LOADER_CASES, m::next, text -> {
            Files.write(file, text.getBytes(StandardCharsets.UTF_8));
            ConfigLoader.load(dir, file, null);
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("[hardening] FUZZ config loader: %d texts in %d ms, outcomes %s%n", n, ms, outcomes);
        failures.forEach(f -> System.out.println("[hardening] FUZZ config failure: " + f));
        assertThat(failures).isEmpty();
        assertThat(n).isEqualTo(LOADER_CASES);
    }

    interface Target {
        void accept(String text) throws Exception;
    }

    /**
     * Runs cases on a worker thread while this thread watches the clock: a case that takes longer
     * than {@link #HANG_MILLIS} is a hang (recorded with its text); the run then stops.
     */
    long run(String what, int cases, IntFunction<String> next, Target target) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong started = new AtomicLong(System.nanoTime());
        String[] current = new String[1];
        Thread worker = new Thread(() -> {
            for (int i = 0; i < cases; i++) {
                String text = next.apply(i);
                synchronized (current) {
                    current[0] = text;
                }
                started.set(System.nanoTime());
                try {
                    target.accept(text);
                    outcomes.computeIfAbsent("ok", k -> new AtomicLong()).incrementAndGet();
                } catch (ConfException e) {
                    outcomes.computeIfAbsent("ConfException", k -> new AtomicLong()).incrementAndGet();
                } catch (Throwable e) {
                    outcomes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
                    if (failures.size() < 20) {
                        StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
                        failures.add(what + ": " + e + " at " + at + " <- " + shorten(text));
                    }
                }
                done.incrementAndGet();
            }
        }, "config-fuzz-" + what);
        worker.setDaemon(true);
        worker.start();
        while (worker.isAlive()) {
            worker.join(100);
            long busy = (System.nanoTime() - started.get()) / 1_000_000;
            if (worker.isAlive() && busy > HANG_MILLIS) {
                String text;
                synchronized (current) {
                    text = current[0];
                }
                failures.add(what + ": HANG, one text took over " + HANG_MILLIS + " ms <- " + shorten(text));
                worker.interrupt();
                break;
            }
        }
        return done.get();
    }

    static String shorten(String text) {
        String oneLine = text.replace("\n", "\\n");
        return oneLine.length() > 600 ? oneLine.substring(0, 600) + "..." : oneLine;
    }

    /** Token- and byte-level mutations of the seeds, plus random directive soup. */
    static final class Mutator {
        static final String SPECIAL = "{};\"'\\$#\n\t\0 ~^()[]*";
        final Random random;

        Mutator(Random random) {
            this.random = random;
        }

        String next(int i) {
            int kind = random.nextInt(10);
            if (kind == 0) {
                return random.nextBoolean() ? soup() : "http {\nserver {\nlisten 8080;\n" + soup() + "}\n}\n";
            }
            String seed = SEEDS[random.nextInt(SEEDS.length)];
            List<String> tokens = tokens(seed);
            int mutations = 1 + random.nextInt(random.nextInt(6) == 0 ? 12 : 3);
            for (int k = 0; k < mutations; k++) {
                mutateTokens(tokens);
            }
            String text = String.join("", tokens);
            if (random.nextInt(4) == 0) {
                text = mutateChars(text);
            }
            return text;
        }

        /** Words, whitespace runs and the three special characters as separate tokens (so joining restores the text). */
        static List<String> tokens(String text) {
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            int type = -1;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                int t = (c == '{' || c == '}' || c == ';') ? 2 : Character.isWhitespace(c) ? 1 : 0;
                if (t == 2 || t != type) {
                    if (cur.length() > 0) {
                        out.add(cur.toString());
                        cur.setLength(0);
                    }
                }
                cur.append(c);
                type = t;
                if (t == 2) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    type = -1;
                }
            }
            if (cur.length() > 0) {
                out.add(cur.toString());
            }
            return out;
        }

        void mutateTokens(List<String> tokens) {
            if (tokens.isEmpty()) {
                tokens.add(VALUES[random.nextInt(VALUES.length)]);
                return;
            }
            int at = random.nextInt(tokens.size());
            switch (random.nextInt(9)) {
                case 0 -> tokens.remove(at);
                case 1 -> tokens.add(at, tokens.get(random.nextInt(tokens.size())));
                case 2, 3 -> {
                    if (!tokens.get(at).isBlank()) {
                        tokens.set(at, VALUES[random.nextInt(VALUES.length)]);
                    }
                }
                case 4 -> tokens.add(at, " " + VALUES[random.nextInt(VALUES.length)] + " ");
                case 5 -> tokens.add(at, "\n" + DIRECTIVES[random.nextInt(DIRECTIVES.length)] + " " + args() + ";\n");
                case 6 -> tokens.add(at, "\n" + DIRECTIVES[random.nextInt(DIRECTIVES.length)] + " " + args() + " {\n"
                        + DIRECTIVES[random.nextInt(DIRECTIVES.length)] + " " + args() + ";\n}\n");
                case 7 -> {
                    int other = random.nextInt(tokens.size());
                    String t = tokens.get(at);
                    tokens.set(at, tokens.get(other));
                    tokens.set(other, t);
                }
                default -> {
                    // a whole statement or block copied elsewhere
                    int from = random.nextInt(tokens.size());
                    int len = Math.min(tokens.size() - from, 1 + random.nextInt(20));
                    tokens.addAll(at, new ArrayList<>(tokens.subList(from, from + len)));
                }
            }
        }

        String args() {
            int n = random.nextInt(4);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                sb.append(VALUES[random.nextInt(VALUES.length)]);
            }
            return sb.toString();
        }

        String mutateChars(String text) {
            StringBuilder sb = new StringBuilder(text);
            int n = 1 + random.nextInt(4);
            for (int i = 0; i < n && sb.length() > 0; i++) {
                int at = random.nextInt(sb.length());
                switch (random.nextInt(4)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, SPECIAL.charAt(random.nextInt(SPECIAL.length())));
                    case 2 -> sb.setCharAt(at, (char) random.nextInt(0x80));
                    default -> sb.insert(at, (char) (0x80 + random.nextInt(0x3000)));
                }
            }
            return sb.toString();
        }

        /** Directives in random nesting with random arguments. */
        String soup() {
            StringBuilder sb = new StringBuilder();
            int depth = 0;
            int lines = 1 + random.nextInt(25);
            for (int i = 0; i < lines; i++) {
                int r = random.nextInt(10);
                if (r < 2) {
                    sb.append(DIRECTIVES[random.nextInt(DIRECTIVES.length)]).append(' ').append(args()).append(" {\n");
                    depth++;
                } else if (r < 3 && depth > 0) {
                    sb.append("}\n");
                    depth--;
                } else {
                    sb.append(DIRECTIVES[random.nextInt(DIRECTIVES.length)]).append(' ').append(args()).append(";\n");
                }
            }
            while (depth-- > 0 && random.nextInt(8) != 0) {
                sb.append("}\n");
            }
            return sb.toString();
        }
    }
}
