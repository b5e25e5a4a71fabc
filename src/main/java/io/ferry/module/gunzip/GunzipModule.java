package io.ferry.module.gunzip;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.util.EnumSet;
import java.util.List;

/**
 * nginx's ngx_http_gunzip_module: a response with Content-Encoding: gzip is decompressed for a client
 * that does not take gzip, so content can be kept (gzip_static always) or fetched (proxy) compressed.
 */
public final class GunzipModule implements Module {
    static final Slot<Boolean> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_gunzip_module";
    }

    @Override
    public List<String> configureArguments() {
        return List.of("--with-http_gunzip_module");
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.one("gunzip", EnumSet.of(HTTP, SERVER, LOCATION));
        rows.add("gunzip_buffers", EnumSet.of(HTTP, SERVER, LOCATION), 2, 2, null, false);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    /** gunzip_buffers is checked only: the decoder's output follows its input, chunk by chunk. */
    @Override
    public Object settings(Level level) throws ConfException {
        Directive buffers = level.own("gunzip_buffers");
        if (buffers != null) {
            Values.buffers(buffers);
        }
        return level.flag("gunzip", false);
    }

    @Override
    public HeaderFilter headerFilter() {
        return GunzipFilter::filter;
    }
}
