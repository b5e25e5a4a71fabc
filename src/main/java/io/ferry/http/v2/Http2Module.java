package io.ferry.http.v2;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import io.ferry.variable.Variable;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** nginx's ngx_http_v2_module: HTTP/2 for clients, per server (http2) and its limits. */
public final class Http2Module implements Module {
    public static final Slot<Http2Settings> SETTINGS = new Slot<>();
    private static final Logger LOG = LoggerFactory.getLogger(Http2Module.class);
    /** nginx's NGX_HTTP_V2_MAX_WINDOW and NGX_HTTP_V2_MAX_FRAME_SIZE. */
    private static final long MAX_WINDOW = (1L << 31) - 1;
    private static final int MAX_FRAME_SIZE = (1 << 24) - 1;
    /** nginx's NGX_HTTP_V2_STATE_BUFFER_SIZE: a receive buffer must be larger. */
    private static final int STATE_BUFFER_SIZE = 16;
    /** Directives nginx 1.25 still accepts but ignores, each with the one that replaced it (or none). */
    private static final Map<String, String> OBSOLETE = Map.of(
            "http2_recv_timeout", "client_header_timeout",
            "http2_idle_timeout", "keepalive_timeout",
            "http2_max_requests", "keepalive_requests",
            "http2_max_field_size", "large_client_header_buffers",
            "http2_max_header_size", "large_client_header_buffers",
            "http2_push", "",
            "http2_push_preload", "",
            "http2_max_concurrent_pushes", "");

    @Override
    public String name() {
        return "http_v2_module";
    }

    @Override
    public List<String> configureArguments() {
        return List.of("--with-http_v2_module");
    }

    @Override
    public void directives(DirectiveRows rows) {
        var hs = EnumSet.of(HTTP, SERVER);
        var hsl = EnumSet.of(HTTP, SERVER, LOCATION);
        rows.one("http2", hs);
        rows.one("http2_max_concurrent_streams", hs);
        rows.one("http2_body_preread_size", hs);
        rows.one("http2_chunk_size", hsl);
        rows.one("http2_recv_buffer_size", EnumSet.of(HTTP));
        for (String name : OBSOLETE.keySet()) {
            rows.one(name, name.startsWith("http2_push") ? hsl : hs);
        }
    }

    /** nginx's $http2: "h2" on a TLS connection, "h2c" on a cleartext one, empty for HTTP/1.x. */
    @Override
    public Map<String, Variable> variables() {
        return Map.of("http2", s -> !Exchange.HTTP_2.text().equals(s.protocol()) ? ""
                : s.sslProtocol() != null ? "h2" : "h2c");
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        for (Map.Entry<String, String> o : OBSOLETE.entrySet()) {
            Directive d = level.own(o.getKey());
            if (d != null) {
                LOG.warn("the \"{}\" directive is obsolete, {} in {}:{}", d.name(),
                        o.getValue().isEmpty() ? "ignored" : "use the \"" + o.getValue() + "\" directive instead",
                        d.file(), d.line());
            }
        }
        Http2Settings d = Http2Settings.DEFAULT;
        return new Http2Settings(
                level.flag("http2", d.enabled()),
                number(level.inherited("http2_max_concurrent_streams"), d.maxConcurrentStreams()),
                size(level.inherited("http2_body_preread_size"), d.bodyPrereadSize(), 0, MAX_WINDOW,
                        "the maximum body preread buffer size is " + MAX_WINDOW),
                chunkSize(level.inherited("http2_chunk_size"), d.chunkSize()),
                size(level.inherited("http2_recv_buffer_size"), d.recvBufferSize(), STATE_BUFFER_SIZE + 1,
                        Integer.MAX_VALUE, "value is too small"));
    }

    private static int number(Directive d, int otherwise) throws ConfException {
        if (d == null) {
            return otherwise;
        }
        String v = d.args().get(0);
        if (!v.matches("[0-9]{1,9}")) {
            throw Values.error(d, "invalid number");
        }
        return Integer.parseInt(v);
    }

    private static int size(Directive d, int otherwise, long min, long max, String tooBig) throws ConfException {
        if (d == null) {
            return otherwise;
        }
        long v = Values.size(d, d.args().get(0));
        if (v < min || v > max) {
            throw Values.error(d, tooBig);
        }
        return (int) v;
    }

    /** As nginx's ngx_http_v2_chunk_size: zero is an error, more than a frame can carry is cut to the largest frame. */
    private static int chunkSize(Directive d, int otherwise) throws ConfException {
        if (d == null) {
            return otherwise;
        }
        long v = Values.size(d, d.args().get(0));
        if (v == 0) {
            throw Values.error(d, "the http2 chunk size cannot be zero");
        }
        return (int) Math.min(v, MAX_FRAME_SIZE);
    }
}
