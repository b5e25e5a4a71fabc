package io.ferry.gateway;

import io.ferry.variable.Template;

/**
 * PREFIX_param NAME VALUE [if_not_empty] of fastcgi, uwsgi and scgi: with {@code ifNotEmpty} a value
 * rendering to "" is not sent.
 */
public record CgiParam(String name, Template value, boolean ifNotEmpty) {
}
