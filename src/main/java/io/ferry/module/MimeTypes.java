package io.ferry.module;

import io.ferry.conf.Directive;
import io.netty.handler.codec.http.HttpUtil;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * nginx's *_types directives (ngx_http_types_slot) for the filters that keep text/html always in
 * (gzip_types, ssi_types, sub_filter_types), and the media type of a response they are matched with.
 */
public final class MimeTypes {
    private MimeTypes() {
    }

    /**
     * The types {@code directive} names at this level (inherited), lower case, with {@code defaults}
     * always in; {@code defaults} alone when it is not set; null when it says "*", every type.
     */
    public static Set<String> types(Level level, String directive, Set<String> defaults) {
        Directive d = level.inherited(directive);
        if (d == null) {
            return defaults;
        }
        Set<String> types = new HashSet<>(defaults);
        for (String t : d.args()) {
            if (t.equals("*")) {
                return null;
            }
            types.add(t.toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(types);
    }

    /** A Content-Type value's media type, without parameters, lower case; "" when there is none. */
    public static String mediaType(String contentType) {
        CharSequence type = contentType == null ? null : HttpUtil.getMimeType(contentType);
        return type == null ? "" : type.toString().trim().toLowerCase(Locale.ROOT);
    }
}
