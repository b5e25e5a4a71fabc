package io.ferry.proxy;

import io.ferry.variable.Template;

/** proxy_set_header NAME VALUE; a value rendering to "" removes the header. */
public record HeaderSetting(String name, Template value) {
}
