package io.ferry.http.v2;

import io.ferry.http.Exchange;
import io.ferry.http.conn.ConnectionSettings;
import io.ferry.http.syntax.RequestHost;
import io.ferry.websocket.ExtendedConnect;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's request header block as nginx's ngx_http_v2_state_process_header reads it: every field
 * name and value checked (an upper-case letter, a control byte or a colon in a name, or CR, LF or NUL
 * in a value, is a 400), pseudo-headers only before the others and each once, :method, :scheme and
 * :path required, cookies joined with "; ", :authority standing in for a missing Host. A body without
 * a content-length is read as HTTP/1.1 reads a chunked one. An extended CONNECT (RFC 8441) becomes an
 * {@link ExtendedConnect}: a tunnel request with no body.
 */
final class RequestHeaders {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    private final ConnectionSettings fields;
    /** Whether an extended CONNECT (RFC 8441) may name its :protocol. */
    private final boolean connectProtocol;

    RequestHeaders(ConnectionSettings fields, boolean connectProtocol) {
        this.fields = fields;
        this.connectProtocol = connectProtocol;
    }

    HttpRequest toRequest(Http2Headers in, boolean endStream) {
        HttpHeaders out = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        String method = null;
        String scheme = null;
        String path = null;
        String authority = null;
        String protocol = null;
        String refusal = null;
        StringBuilder cookies = null;
        boolean regular = false;
        for (Map.Entry<CharSequence, CharSequence> h : in) {
            String name = h.getKey().toString();
            String value = h.getValue().toString();
            String invalid = invalid(name, value);
            if (invalid != null) {
                refusal = refusal == null ? invalid : refusal;
                continue;
            }
            if (name.startsWith(":")) {
                if (regular) {
                    refusal = refusal == null ? "client sent out of order pseudo-headers" : refusal;
                    continue;
                }
                String duplicate = "client sent duplicate " + name + " header";
                switch (name) {
                    case ":method" -> {
                        refusal = method != null ? duplicate : value.isEmpty() ? "client sent empty :method header"
                                : !validMethod(value) ? "client sent invalid method: \"" + value + "\"" : refusal;
                        method = value;
                    }
                    case ":scheme" -> {
                        refusal = scheme != null ? duplicate : !validScheme(value)
                                ? "client sent invalid :scheme header: \"" + value + "\"" : refusal;
                        scheme = value;
                    }
                    case ":path" -> {
                        refusal = path != null ? duplicate : value.isEmpty() ? "client sent empty :path header"
                                : !validPath(value) ? "client sent invalid :path header: \"" + value + "\"" : refusal;
                        path = value;
                    }
                    case ":authority" -> {
                        refusal = authority != null ? duplicate : RequestHost.of(value) == null
                                ? "client sent invalid \":authority\" header" : refusal;
                        authority = value;
                    }
                    case ":protocol" -> {
                        refusal = !connectProtocol ? "client sent unknown pseudo-header \":protocol\""
                                : protocol != null ? duplicate : refusal;
                        protocol = value;
                    }
                    default -> refusal = refusal == null ? "client sent unknown pseudo-header \"" + name + "\"" : refusal;
                }
                continue;
            }
            regular = true;
            if (name.equals("cookie")) {
                cookies = cookies == null ? new StringBuilder(value) : cookies.append("; ").append(value);
            } else if (!ignored(name)) {
                out.add(name, value);
            }
        }
        if (refusal == null && protocol != null && !"CONNECT".equals(method)) {
            refusal = "client sent :protocol header without CONNECT";
        }
        if (refusal == null) {
            refusal = method == null ? "client sent no :method header" : scheme == null ? "client sent no :scheme header"
                    : path == null ? "client sent no :path header" : null;
        }
        if (cookies != null) {
            out.add(HttpHeaderNames.COOKIE, cookies.toString());
        }
        if (authority != null && !out.contains(HttpHeaderNames.HOST)) {
            out.set(HttpHeaderNames.HOST, authority);
        } else if (authority != null && refusal == null && !authority.equals(out.get(HttpHeaderNames.HOST))) {
            refusal = "client sent \":authority\" and \"Host\" headers with different values";
        }
        HttpRequest request;
        if (refusal == null && protocol != null) {
            // the stream's DATA is the tunnel's, not a body; $http_upgrade names the protocol as an
            // HTTP/1.1 client's Upgrade would, so the usual proxy_set_header lines pass it upstream
            out.set(HttpHeaderNames.UPGRADE, protocol);
            request = new ExtendedConnect(Exchange.HTTP_2, path, out, protocol);
        } else {
            if (!endStream && !out.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                out.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            request = new DefaultHttpRequest(Exchange.HTTP_2,
                    HttpMethod.valueOf(method == null || !validMethod(method) ? "GET" : method),
                    path == null || path.isEmpty() ? "/" : path, out);
        }
        if (refusal != null) {
            LOG.info("{} while reading client request headers", refusal);
            request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(refusal)));
        }
        return request;
    }

    /** nginx's ngx_http_v2_validate_header: the refusal for a field that cannot be, or null. */
    private static String invalid(String name, String value) {
        if (name.isEmpty()) {
            return "client sent zero header name length";
        }
        for (int i = name.charAt(0) == ':' ? 1 : 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == ':' || c >= 'A' && c <= 'Z') {
                return "client sent invalid header name: \"" + name + "\"";
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\n' || c == '\r') {
                return "client sent header \"" + name + "\" with invalid value: \"" + value + "\"";
            }
        }
        return null;
    }

    /** A name with bytes outside nginx's header letters, dropped under ignore_invalid_headers. */
    private boolean ignored(String name) {
        if (!fields.ignoreInvalidHeaders()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' && fields.underscoresInHeaders())) {
                LOG.info("client sent invalid header: \"{}\"", name);
                return true;
            }
        }
        return false;
    }

    /** nginx's ngx_http_parse_uri as :path meets it: an absolute path without spaces or control bytes. */
    private static boolean validPath(String path) {
        if (path.charAt(0) != '/') {
            return false;
        }
        for (int i = 1; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3986's scheme characters, as nginx's ngx_http_v2_parse_scheme checks them; checked per request, so no regex. */
    private static boolean validScheme(String scheme) {
        for (int i = 0; i < scheme.length(); i++) {
            char c = scheme.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return !scheme.isEmpty();
    }

    private static boolean validMethod(String method) {
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c == '_' || c == '-')) {
                return false;
            }
        }
        return !method.isEmpty();
    }

    static void copyTrailers(Http2Headers in, HttpHeaders out) {
        for (Map.Entry<CharSequence, CharSequence> h : in) {
            if (h.getKey().length() > 0 && h.getKey().charAt(0) != ':') {
                out.add(h.getKey(), h.getValue());
            }
        }
    }
}
