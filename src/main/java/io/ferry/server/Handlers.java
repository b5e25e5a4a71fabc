package io.ferry.server;

import io.ferry.files.StaticFileHandler;
import io.ferry.http.ContentHandler;
import io.ferry.http.ContentHandlers;
import io.ferry.model.LocationSettings;
import io.ferry.proxy.ProxyHandler;

/** The content handler of a location: proxy_pass if set, else static files from root. */
final class Handlers implements ContentHandlers {
    static final Handlers INSTANCE = new Handlers();

    @Override
    public ContentHandler forLocation(LocationSettings settings) {
        return settings.proxy() != null ? ProxyHandler.INSTANCE : StaticFileHandler.INSTANCE;
    }
}
