package io.ferry.module.charset;

import io.ferry.http.Exchange;
import io.ferry.http.hook.BodyFilter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The charset header filter: nginx's choice of destination and source charset, then the recoder. */
final class CharsetFilter {

    private CharsetFilter() {
    }

    static void filter(Exchange ex, HttpResponse response) {
        CharsetSettings s = ex.settings().module(CharsetModule.SETTINGS);
        HttpHeaders h = response.headers();
        String type = h.get(HttpHeaderNames.CONTENT_TYPE);
        if (s == null || s.charset() == null || ex.isSubrequest() || type == null || type.isEmpty()) {
            return;
        }
        int semi = type.indexOf(';');
        String mime = (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        String named = charsetOf(type);
        // a response that names its charset keeps it, unless override_charset makes that the source
        if (named != null ? !s.override() : !s.matches(mime)) {
            return;
        }
        String dst = s.charset().render(ex);
        int status = response.status().code();
        if (dst.isEmpty() || status == 301 || status == 302) {
            return;
        }
        String src = named != null ? named : s.source() == null ? "" : s.source().render(ex);
        if (src.isEmpty() || src.equalsIgnoreCase(dst)) {
            setType(h, mime(type) + "; charset=" + dst);
            return;
        }
        String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.isEmpty()) {
            return;
        }
        CharsetMaps maps = s.maps();
        BodyFilter recoder = maps.recoder(src, dst);
        if (recoder == null) {
            ex.errorLog().error("*{} no \"charset_map\" between the charsets \"{}\" and \"{}\", client: {}, server: {}, request: \"{} {} {}\"",
                    ex.connection(), src, dst, ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(), ex.protocol());
            return;
        }
        setType(h, mime(type) + "; charset=" + dst);
        if (ex.isHead() || status == 204 || status == 304) {
            return;
        }
        if (!maps.sameLength(src, dst)) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.remove(HttpHeaderNames.ACCEPT_RANGES);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        }
        ex.addBodyFilter(recoder);
    }

    /** Replaces Content-Type in its place in the head, as nginx does, instead of moving it to the end. */
    private static void setType(HttpHeaders h, String value) {
        List<Map.Entry<String, String>> entries = h.entries();
        h.clear();
        for (Map.Entry<String, String> e : entries) {
            h.add(e.getKey(), HttpHeaderNames.CONTENT_TYPE.contentEqualsIgnoreCase(e.getKey()) ? value : e.getValue());
        }
    }

    /** The type as written, less its parameters. */
    private static String mime(String type) {
        int semi = type.indexOf(';');
        return semi < 0 ? type.trim() : type.substring(0, semi).trim();
    }

    /** The charset parameter of a Content-Type, unquoted, or null. */
    static String charsetOf(String type) {
        for (String param : type.split(";")) {
            String p = param.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String v = p.substring(8).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }
}
