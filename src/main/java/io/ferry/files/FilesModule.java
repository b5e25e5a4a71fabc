package io.ferry.files;

import static io.ferry.conf.Context.HTTP;
import static io.ferry.conf.Context.LOCATION;
import static io.ferry.conf.Context.SERVER;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.conf.Values;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.module.Module;
import java.util.EnumSet;
import java.util.Locale;

/**
 * The directives of nginx's core module that shape how a static file is answered: its validators
 * (etag, if_modified_since) and how its bytes are sent (aio, sendfile_max_chunk).
 */
public final class FilesModule implements Module {
    static final Slot<FileSettings> SETTINGS = new Slot<>();

    @Override
    public String name() {
        return "http_static_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        EnumSet<io.ferry.conf.Context> hsl = EnumSet.of(HTTP, SERVER, LOCATION);
        for (String name : new String[] {"etag", "if_modified_since", "aio", "sendfile_max_chunk"}) {
            rows.one(name, hsl);
        }
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Directive ims = level.inherited("if_modified_since");
        FileSettings.IfModifiedSince mode = FileSettings.IfModifiedSince.EXACT;
        if (ims != null) {
            try {
                mode = FileSettings.IfModifiedSince.valueOf(ims.args().get(0).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Values.invalid(ims, ims.args().get(0));
            }
        }
        Directive aio = level.own("aio");
        if (aio != null && !aio.args().get(0).matches("on|off|threads(=.+)?")) {
            throw Values.invalid(aio, aio.args().get(0));
        }
        Directive chunk = level.inherited("sendfile_max_chunk");
        return new FileSettings(level.flag("etag", true), mode,
                chunk == null ? FileSettings.DEFAULT.sendfileMaxChunk() : Values.size(chunk, chunk.args().get(0)));
    }

    /** The settings of the exchange's location; the defaults where none were built (a test's bare settings). */
    static FileSettings of(io.ferry.model.LocationSettings s) {
        FileSettings f = s.module(SETTINGS);
        return f == null ? FileSettings.DEFAULT : f;
    }
}
