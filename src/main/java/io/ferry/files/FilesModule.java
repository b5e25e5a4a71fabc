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
 * (etag, if_modified_since) and how its bytes are sent (aio, sendfile_max_chunk, output_buffers,
 * postpone_output).
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
        for (String name : new String[] {"etag", "if_modified_since", "aio", "sendfile_max_chunk", "postpone_output"}) {
            rows.one(name, hsl);
        }
        rows.add("output_buffers", hsl, 2, 2, null, false);
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
        Directive buffers = level.inherited("output_buffers");
        Directive postpone = level.inherited("postpone_output");
        FileSettings d = FileSettings.DEFAULT;
        return new FileSettings(level.flag("etag", true), mode,
                chunk == null ? d.sendfileMaxChunk() : Values.size(chunk, chunk.args().get(0)),
                buffers == null ? d.outputBuffers() : (int) bufs(buffers, 0),
                buffers == null ? d.outputBufferSize() : (int) bufs(buffers, 1),
                postpone == null ? d.postponeOutput() : Values.size(postpone, postpone.args().get(0)));
    }

    /**
     * ngx_conf_set_bufs_slot's NUMBER (argument 0) or SIZE (argument 1): zero is as invalid as what
     * does not parse; Ferry also refuses a piece of 2g or more, which one Java buffer cannot hold.
     */
    private static long bufs(Directive d, int arg) throws ConfException {
        String v = d.args().get(arg);
        long n = arg == 0 ? (v.matches("[0-9]{1,9}") ? Long.parseLong(v) : 0) : Values.size(d, v);
        if (n == 0 || n > Integer.MAX_VALUE) {
            throw Values.error(d, "\"" + d.name() + "\" directive invalid value");
        }
        return n;
    }

    /** The settings of the exchange's location; the defaults where none were built (a test's bare settings). */
    static FileSettings of(io.ferry.model.LocationSettings s) {
        FileSettings f = s.module(SETTINGS);
        return f == null ? FileSettings.DEFAULT : f;
    }
}
