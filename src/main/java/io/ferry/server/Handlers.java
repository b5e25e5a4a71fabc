package io.ferry.server;

import io.ferry.files.StaticFileHandler;
import io.ferry.http.ContentHandler;
import io.ferry.http.ContentHandlers;
import io.ferry.model.LocationSettings;
import io.ferry.proxy.ProxyHandler;
import io.ferry.upstream.Upstreams;

/** The content handler of a location: proxy_pass if set, else static files from root. */
final class Handlers implements ContentHandlers {
    private final ProxyHandler proxy;

    Handlers(Upstreams upstreams) {
        this.proxy = new ProxyHandler(upstreams);
    }

    @Override
    public ContentHandler forLocation(LocationSettings settings) {
        return settings.proxy() != null ? proxy : StaticFileHandler.INSTANCE;
    }
}
