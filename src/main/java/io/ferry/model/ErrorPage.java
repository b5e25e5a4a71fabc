package io.ferry.model;

/**
 * error_page CODE... [=[RESPONSE]] URI|@name. {@code status} is the code to answer with: the
 * original one (null without "="), the given one ("=200"), or whatever the target answers ("=").
 */
public record ErrorPage(String uri, Integer status, boolean keepTargetStatus) {
}
