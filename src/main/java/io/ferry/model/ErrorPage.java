package io.ferry.model;

import io.ferry.variable.Template;

/**
 * error_page CODE... [=[RESPONSE]] URI|@name. {@code status} is the code to answer with: the
 * original one (null without "="), the given one ("=200"), or whatever the target answers ("=").
 * The URI may hold variables, rendered when the page is used.
 */
public record ErrorPage(Template uri, Integer status, boolean keepTargetStatus) {
}
