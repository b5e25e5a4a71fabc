package io.ferry.http.body;

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
import io.ferry.variable.Variable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The request body part of nginx's core module: how a body that a handler reads whole is kept
 * (memory up to client_body_buffer_size, then a temporary file), and $request_body /
 * $request_body_file / $content_length.
 */
public final class BodyModule implements Module {
    public static final Slot<BodySettings> SETTINGS = new Slot<>();
    /** The body of a request as far as it was kept ({@link SpooledBody}); set by the exchange. */
    public static final Slot<SpooledBody> BODY = new Slot<>();

    @Override
    public String name() {
        return "http_core_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        var levels = EnumSet.of(HTTP, SERVER, LOCATION);
        rows.one("client_body_buffer_size", levels);
        rows.add("client_body_temp_path", levels, 1, 4, null, false);
        rows.one("client_body_in_file_only", levels);
        rows.one("client_body_in_single_buffer", levels);
    }

    @Override
    public Slot<?> settingsSlot() {
        return SETTINGS;
    }

    @Override
    public Object settings(Level level) throws ConfException {
        Directive size = level.inherited("client_body_buffer_size");
        long bufferSize = size == null ? BodySettings.DEFAULT_BUFFER : Values.size(size, size.args().get(0));
        Directive temp = level.inherited("client_body_temp_path");
        Path tempPath = level.prefix().resolve(temp == null ? "client_body_temp" : temp.args().get(0));
        List<Integer> levels = new ArrayList<>();
        if (temp != null) {
            for (String l : temp.args().subList(1, temp.args().size())) {
                // nginx's ngx_conf_set_path_slot: each level names 1 or 2 characters of the file name
                if (!l.equals("1") && !l.equals("2")) {
                    throw Values.invalid(temp, l);
                }
                levels.add(Integer.parseInt(l));
            }
        }
        Directive only = level.inherited("client_body_in_file_only");
        BodySettings.InFileOnly inFileOnly = BodySettings.InFileOnly.OFF;
        if (only != null) {
            inFileOnly = switch (only.args().get(0)) {
                case "on" -> BodySettings.InFileOnly.ON;
                case "clean" -> BodySettings.InFileOnly.CLEAN;
                case "off" -> BodySettings.InFileOnly.OFF;
                default -> throw Values.invalid(only, only.args().get(0));
            };
        }
        return new BodySettings(bufferSize, tempPath, List.copyOf(levels), inFileOnly,
                level.flag("client_body_in_single_buffer", false));
    }

    @Override
    public Map<String, Variable> variables() {
        return Map.of(
                // the header, else the length of a chunked body once it was read whole (nginx sets content_length_n then)
                "content_length", s -> {
                    String header = s.requestHeader("content-length");
                    SpooledBody body = s.moduleContext(BODY);
                    boolean counted = header == null && s.requestHeader("transfer-encoding") != null
                            && body != null && body.buffered() && body.whole();
                    return counted ? Long.toString(body.size()) : header;
                },
                "request_body", s -> {
                    SpooledBody body = s.moduleContext(BODY);
                    return body == null ? null : body.text();
                },
                "request_body_file", s -> {
                    SpooledBody body = s.moduleContext(BODY);
                    return body == null || body.file() == null ? null : body.file().toString();
                });
    }
}
