package io.ferry.model;

import io.ferry.variable.Template;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The effective configuration a request gets once its location is chosen: exactly one content
 * handler (a module's, or static files from {@code root}) plus limits.
 */
public record LocationSettings(
        Path root,
        List<Template> index,
        String defaultType,
        Map<String, String> types,
        long clientMaxBodySize,
        Duration keepaliveTimeout,
        boolean satisfyAny,
        DocumentRoot documentRoot,
        Map<Integer, ErrorPage> errorPages,
        TryFiles tryFiles,
        boolean internal,
        RedirectStyle redirectStyle,
        boolean logNotFound,
        ClientTimeouts clientTimeouts,
        ModuleSettings modules) {

    /** A module's settings at this level, or null when it has none here. */
    public <T> T module(Slot<T> slot) {
        return slot.in(modules);
    }

    /** The type of the URI's extension from types {}, else default_type (nginx's ngx_http_set_content_type). */
    public String contentType(String uri) {
        if (uri != null) {
            int slash = uri.lastIndexOf('/');
            int dot = uri.lastIndexOf('.');
            if (dot > slash && dot < uri.length() - 1) {
                String type = types.get(uri.substring(dot + 1).toLowerCase(Locale.ROOT));
                if (type != null) {
                    return type;
                }
            }
        }
        return defaultType;
    }
}
