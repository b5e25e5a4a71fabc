package io.ferry.log;

import io.ferry.variable.Template;

/** log_format NAME [escape=default|json|none] STRING...; {@code combined} is predefined. */
public record LogFormat(String name, Template template, Escape escape) {
    public enum Escape { DEFAULT, JSON, NONE }

    public static final String COMBINED = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\"";
}
