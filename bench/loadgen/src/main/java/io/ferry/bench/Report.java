package io.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the result lines (phase, scenario, target, round, metric, value) into the Markdown table:
 * the median per target, then Ferry/nginx, Ferry/HAProxy and proxy/direct ratios. Rows without data
 * are left out; a target with no data shows "n/a".
 */
final class Report {
    private Report() {
    }

    private record Row(String scenario, String metric, String test, String unit, boolean higherIsBetter) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("small", "rps", "HTTP keep-alive, small response (wrk, %s)", "req/s", true),
            new Row("small", "p99_ms", "", "p99 ms", false),
            new Row("small", "cpu_us", "", "proxy CPU µs / req", false),
            new Row("limitreq", "rps", "Small response through `limit_req` (wrk, %s)", "req/s", true),
            new Row("limitreq", "cpu_us", "", "proxy CPU µs / req", false),
            new Row("64k", "mbps", "64 KiB responses (wrk, %s)", "MB/s", true),
            new Row("64k", "cpu_us", "", "proxy CPU µs / response", false),
            new Row("cached1k", "rps", "Cached 1 KiB response, every request a HIT (wrk, %s)", "req/s", true),
            new Row("cached1k", "p99_ms", "", "p99 ms", false),
            new Row("cached1k", "cpu_us", "", "proxy CPU µs / req", false),
            new Row("cached64k", "mbps", "Cached 64 KiB response, every request a HIT (wrk, %s)", "MB/s", true),
            new Row("cached64k", "cpu_us", "", "proxy CPU µs / response", false),
            new Row("upload", "mbps", "1 MiB uploads (wrk POST, %s)", "MB/s", true),
            new Row("upload", "cpu_us", "", "proxy CPU µs / upload", false),
            new Row("https", "rps", "HTTPS keep-alive, small response (wrk, %s)", "req/s", true),
            new Row("https", "p99_ms", "", "p99 ms", false),
            new Row("https", "cpu_us", "", "proxy CPU µs / req", false),
            new Row("h2", "rps", "HTTP/2 over TLS, small response (h2load, %s)", "req/s", true),
            new Row("h2", "cpu_us", "", "proxy CPU µs / req", false),
            new Row("handshake", "rps", "Full TLS handshakes, no session to resume (wrk, Connection: close, %s)", "handshakes/s", true),
            new Row("handshake", "cpu_us", "", "proxy CPU µs / handshake", false),
            new Row("resumed", "rps", "Resumed TLS handshakes, session tickets (wrk, Connection: close, %s)", "handshakes/s", true),
            new Row("resumed", "cpu_us", "", "proxy CPU µs / handshake", false),
            new Row("ws64", "msgs", "WebSocket echo 64 B, closed loop (%s)", "msg/s", true),
            new Row("ws64", "p50_ms", "", "p50 ms", false),
            new Row("ws64", "p99_ms", "", "p99 ms", false),
            new Row("ws64", "cpu_us", "", "proxy CPU µs / msg", false),
            new Row("ws16k", "msgs", "WebSocket echo 16 KiB, closed loop (%s)", "msg/s", true),
            new Row("ws16k", "p50_ms", "", "p50 ms", false),
            new Row("ws16k", "p99_ms", "", "p99 ms", false),
            new Row("ws16k", "cpu_us", "", "proxy CPU µs / msg", false),
            new Row("stream", "mbps", "Bulk bytes through a `stream` tunnel (%s)", "MB/s", true),
            new Row("stream", "cpu_us", "", "proxy CPU µs / MB", false),
            new Row("idle", "kib_rss", "Idle WebSockets held open (%s)", "KiB RSS / conn", false),
            new Row("idle", "kib_heap", "", "KiB heap after GC / conn", false),
            new Row("startup", "ms", "Process start to first proxied 200 (%s)", "ms", false),
            new Row("startup-first", "ms", "", "first start (writes the start-up archive), ms", false));

    static void run(Args a) throws IOException {
        Path in = Path.of(a.str("in", null));
        Map<String, String> notes = new LinkedHashMap<>();
        for (String kv : a.str("notes", "").split(";;")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                notes.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        Map<String, String> phases = a.pairs("phases");
        // phase -> scenario/metric -> target -> values
        Map<String, Map<String, Map<String, List<Double>>>> data = new LinkedHashMap<>();
        Set<String> errors = new LinkedHashSet<>();
        for (String line : Files.readAllLines(in)) {
            String[] f = line.split("\t");
            if (f.length != 6) {
                continue;
            }
            if (f[4].equals("errors")) {
                errors.add(f[0] + "/" + f[1] + "/" + f[2] + ": " + f[5] + " errors in round " + f[3]);
                continue;
            }
            double v = f[5].equals("nan") ? Double.NaN : Double.parseDouble(f[5]);
            data.computeIfAbsent(f[0], k -> new LinkedHashMap<>())
                    .computeIfAbsent(f[1] + "/" + f[4], k -> new LinkedHashMap<>())
                    .computeIfAbsent(f[2], k -> new ArrayList<>()).add(v);
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> phase : phases.entrySet()) {
            Map<String, Map<String, List<Double>>> d = data.get(phase.getKey());
            if (d == null) {
                continue;
            }
            out.append("#### ").append(phase.getValue()).append("\n\n");
            out.append("| test | metric | direct | Ferry | nginx | HAProxy | Ferry/nginx | Ferry/HAProxy"
                    + " | Ferry/direct | nginx/direct | HAProxy/direct |\n");
            out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            String lastScenario = "";
            for (Row r : ROWS) {
                Map<String, List<Double>> byTarget = d.get(r.scenario + "/" + r.metric);
                if (byTarget == null) {
                    continue;
                }
                String test = r.scenario.equals(lastScenario) ? "" : String.format(r.test.isEmpty() ? "%s" : r.test,
                        notes.getOrDefault(r.scenario, ""));
                lastScenario = r.scenario;
                List<Double> directRuns = byTarget.get("direct");
                boolean borrowed = false;
                if (directRuns == null) {
                    // Measured in an earlier phase only (the direct path does not depend on the proxies).
                    for (Map<String, Map<String, List<Double>>> other : data.values()) {
                        Map<String, List<Double>> o = other.get(r.scenario + "/" + r.metric);
                        if (o != null && o.containsKey("direct")) {
                            directRuns = o.get("direct");
                            borrowed = true;
                            break;
                        }
                    }
                }
                boolean hasDirect = directRuns != null;
                double direct = median(directRuns);
                double ferry = median(byTarget.get("ferry"));
                double nginx = median(byTarget.get("nginx"));
                double haproxy = median(byTarget.get("haproxy"));
                out.append("| ").append(test).append(" | ").append(r.unit)
                        .append(" | ").append(hasDirect ? (borrowed ? "(" + fmt(direct) + ")" : fmt(direct)) : "—")
                        .append(" | ").append(fmt(ferry))
                        .append(" | ").append(fmt(nginx))
                        .append(" | ").append(fmt(haproxy))
                        .append(" | ").append(ratio(ferry, nginx))
                        .append(" | ").append(ratio(ferry, haproxy))
                        .append(" | ").append(hasDirect ? ratio(ferry, direct) : "—")
                        .append(" | ").append(hasDirect ? ratio(nginx, direct) : "—")
                        .append(" | ").append(hasDirect ? ratio(haproxy, direct) : "—")
                        .append(" |\n");
            }
            out.append('\n');
        }
        if (!errors.isEmpty()) {
            out.append("Errors reported by the load tools:\n\n");
            errors.forEach(e -> out.append("- ").append(e).append('\n'));
            out.append('\n');
        }
        out.append("<details><summary>Every run (phase, test, target: values in round order)</summary>\n\n```\n");
        for (Map.Entry<String, Map<String, Map<String, List<Double>>>> p : data.entrySet()) {
            for (Map.Entry<String, Map<String, List<Double>>> s : p.getValue().entrySet()) {
                for (Map.Entry<String, List<Double>> t : s.getValue().entrySet()) {
                    StringBuilder vals = new StringBuilder();
                    for (double v : t.getValue()) {
                        vals.append(' ').append(fmt(v));
                    }
                    out.append(String.format(Locale.ROOT, "%-5s %-22s %-7s%s%n", p.getKey(), s.getKey(), t.getKey(), vals));
                }
            }
        }
        out.append("```\n</details>\n");
        System.out.print(out);
    }

    static double median(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double abs = Math.abs(v);
        if (abs >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String ratio(double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y) || y == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f×", x / y);
    }
}
