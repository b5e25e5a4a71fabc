package io.ferry.module.sub;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.http.Exchange;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.MimeTypes;
import io.ferry.module.Module;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * nginx's ngx_http_sub_module: replaces strings in responses of the chosen types, whatever
 * produced them, as the body streams past.
 */
public final class SubModule implements Module {
    static final Slot<SubSettings> SETTINGS = new Slot<>();
    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);

    @Override
    public String name() {
        return "http_sub_module";
    }

    @Override
    public List<String> configureArguments() {
        return List.of("--with-http_sub_module");
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("sub_filter", HSL, 2, 2, null, true);
        rows.add("sub_filter_types", HSL, 1, DirectiveRows.ANY, null, false);
        rows.one("sub_filter_once", HSL);
        rows.one("sub_filter_last_modified", HSL);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        List<SubSettings.Rule> rules = new ArrayList<>();
        for (Directive d : level.inheritedAll("sub_filter")) {
            String search = d.args().get(0);
            if (search.isEmpty()) {
                throw new ConfException("empty search pattern", d.file(), d.line());
            }
            rules.add(new SubSettings.Rule(level.template(d, search), level.template(d, d.args().get(1))));
        }
        return new SubSettings(List.copyOf(rules), MimeTypes.types(level, "sub_filter_types", SubSettings.DEFAULT_TYPES), level.flag("sub_filter_once", true),
                level.flag("sub_filter_last_modified", false));
    }

    @Override
    public HeaderFilter headerFilter() {
        return SubModule::filter;
    }

    /**
     * ngx_http_sub_header_filter: a response of a processed type and not known to be empty gets the
     * filter; its length is unknown from now on, and its validators no longer describe what is
     * sent (kept, the ETag weak, with sub_filter_last_modified).
     */
    private static void filter(Exchange ex, HttpResponse response) {
        SubSettings s = SETTINGS.in(ex.settings().modules());
        HttpHeaders h = response.headers();
        if (s.rules().isEmpty() || HttpUtil.getContentLength(response, -1L) == 0
                || !s.processes(MimeTypes.mediaType(h.get(HttpHeaderNames.CONTENT_TYPE)))) {
            return;
        }
        SubMatcher matcher = s.matcher(ex);
        if (matcher == null) {
            return;
        }
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.ACCEPT_RANGES);
        if (!s.lastModified()) {
            h.remove(HttpHeaderNames.LAST_MODIFIED);
            h.remove(HttpHeaderNames.ETAG);
        } else {
            weakEtag(h);
        }
        int status = response.status().code();
        if (ex.isHead() || status == 204 || status == 304) {
            return;
        }
        h.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        ex.addBodyFilter(new SubFilter(matcher));
    }

    /** ngx_http_weak_etag: a strong tag turns weak; one that is neither is dropped. */
    private static void weakEtag(HttpHeaders h) {
        String etag = h.get(HttpHeaderNames.ETAG);
        if (etag == null || etag.startsWith("W/")) {
            return;
        }
        if (etag.startsWith("\"")) {
            h.set("ETag", "W/" + etag);
        } else {
            h.remove(HttpHeaderNames.ETAG);
        }
    }
}
