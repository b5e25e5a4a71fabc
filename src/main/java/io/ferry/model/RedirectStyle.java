package io.ferry.model;

/**
 * absolute_redirect, server_name_in_redirect and port_in_redirect: how a Location that Ferry makes
 * itself (a directory's slash, {@code return}, rewrite's redirect) is completed when it starts with "/".
 */
public record RedirectStyle(boolean absolute, boolean serverName, boolean port) {
    public static final RedirectStyle DEFAULT = new RedirectStyle(true, false, true);
}
