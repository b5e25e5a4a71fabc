package io.ferry.module.autoindex;

/** A level's autoindex directives, merged as nginx merges them. */
record AutoindexSettings(boolean enable, Format format, boolean localtime, boolean exactSize) {
    enum Format { HTML, JSON, JSONP, XML }

    static final AutoindexSettings DEFAULT = new AutoindexSettings(false, Format.HTML, false, true);
}
