package io.ferry.fastcgi;

import io.ferry.variable.Template;

/** fastcgi_param NAME VALUE [if_not_empty]: with {@code ifNotEmpty} a value rendering to "" is not sent. */
public record FastCgiParam(String name, Template value, boolean ifNotEmpty) {
}
