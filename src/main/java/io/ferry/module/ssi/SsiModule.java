package io.ferry.module.ssi;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.IF;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Context;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.Exchange;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.MimeTypes;
import io.ferry.module.Module;
import io.ferry.variable.RequestScope;
import io.ferry.variable.Variable;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * nginx's ngx_http_ssi_module: commands in HTML responses (whatever produced them) are carried out
 * as the body streams past, includes by subrequests whose output takes the command's place.
 */
public final class SsiModule implements Module {
    static final Slot<SsiSettings> SETTINGS = new Slot<>();
    /** The response's SSI pass, whose config timefmt $date_local and $date_gmt follow. */
    static final Slot<SsiFilter> FILTER = new Slot<>();
    private static final Set<Context> HSL = EnumSet.of(HTTP, SERVER, LOCATION);

    @Override
    public String name() {
        return "http_ssi_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("ssi", EnumSet.of(HTTP, SERVER, LOCATION, IF));
        rows.add("ssi_types", HSL, 1, DirectiveRows.ANY, null, false);
        rows.one("ssi_silent_errors", HSL);
        rows.one("ssi_value_length", HSL);
        rows.one("ssi_last_modified", HSL);
        rows.one("ssi_min_file_chunk", HSL);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        SsiSettings d = SsiSettings.DEFAULT;
        Directive length = level.inherited("ssi_value_length");
        Directive chunk = level.inherited("ssi_min_file_chunk");
        return new SsiSettings(level.flag("ssi", d.enabled()), MimeTypes.types(level, "ssi_types", SsiSettings.DEFAULT_TYPES), level.flag("ssi_silent_errors", false),
                length == null ? d.valueLength() : (int) Math.min(Integer.MAX_VALUE, Values.size(length, length.args().get(0))),
                level.flag("ssi_last_modified", false),
                chunk == null ? d.minFileChunk() : Values.size(chunk, chunk.args().get(0)));
    }

    /** $date_local/$date_gmt everywhere, in the timefmt of the response's SSI when it has one (nginx's default otherwise). */
    @Override
    public Map<String, Variable> variables() {
        return Map.of("date_local", scope -> date(scope, false), "date_gmt", scope -> date(scope, true));
    }

    private static String date(RequestScope scope, boolean gmt) {
        SsiFilter f = scope.moduleContext(FILTER);
        return SsiValues.date(f == null ? SsiValues.TIMEFMT : f.values().timefmt, gmt);
    }

    @Override
    public HeaderFilter headerFilter() {
        return SsiModule::filter;
    }

    /**
     * ngx_http_ssi_header_filter: a response of a processed type and not known to be empty gets the
     * filter; its length is unknown from now on, and its validators describe a document that is
     * no longer what is sent (kept, the ETag weak, with ssi_last_modified).
     */
    private static void filter(Exchange ex, HttpResponse response) {
        SsiSettings s = SETTINGS.in(ex.settings().modules());
        HttpHeaders h = response.headers();
        String type = MimeTypes.mediaType(h.get(HttpHeaderNames.CONTENT_TYPE));
        if (!s.enabled() || HttpUtil.getContentLength(response, -1L) == 0 || !s.processes(type)) {
            return;
        }
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.ACCEPT_RANGES);
        if (s.lastModified()) {
            String etag = h.get(HttpHeaderNames.ETAG);
            if (etag != null && etag.startsWith("\"")) {
                h.set(HttpHeaderNames.ETAG, "W/" + etag);
            }
        } else {
            h.remove(HttpHeaderNames.LAST_MODIFIED);
            h.remove(HttpHeaderNames.ETAG);
        }
        int status = response.status().code();
        if (ex.isHead() || status == 204 || status == 304) {
            return;
        }
        h.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        SsiFilter f = new SsiFilter(ex, s, type);
        ex.moduleContext(FILTER, f);
        ex.addBodyFilter(f);
    }
}
