package io.ferry.server;

import io.ferry.files.StaticFileHandler;
import io.ferry.http.conn.ConnectionStates;
import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.ContentHandler;
import io.ferry.http.hook.ContentHandlers;
import io.ferry.http.hook.ContentPhaseHandler;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.http.hook.PostReadHandler;
import io.ferry.http.hook.PreAccessHandler;
import io.ferry.http.hook.RewriteHandler;
import io.ferry.module.Modules;
import io.ferry.module.Services;
import java.util.List;
import io.ferry.metrics.Metrics;
import io.ferry.model.LocationSettings;
import io.ferry.tunnel.Tunnels;
import io.ferry.upstream.Upstreams;

/** The content handler of a location: the modules' (stub_status, proxy_pass, ...), else static files from root. */
final class Handlers implements ContentHandlers {
    private final ContentHandler modules;

    Handlers(Upstreams upstreams, Tunnels tunnels, ConnectionStates states, Metrics metrics) {
        List<ContentPhaseHandler> phase = Modules.contentHandlers(new Services(upstreams, tunnels, states, metrics));
        this.modules = ex -> {
            for (ContentPhaseHandler h : phase) {
                if (h.handle(ex)) {
                    return;
                }
            }
            StaticFileHandler.INSTANCE.handle(ex);
        };
    }

    @Override
    public ContentHandler forLocation(LocationSettings settings) {
        return modules;
    }

    @Override
    public List<HeaderFilter> headerFilters() {
        return Modules.headerFilters();
    }

    @Override
    public List<PostReadHandler> postReadHandlers() {
        return Modules.postReadHandlers();
    }

    @Override
    public List<PreAccessHandler> preAccessHandlers() {
        return Modules.preAccessHandlers();
    }

    @Override
    public List<RewriteHandler> rewriteHandlers() {
        return Modules.rewriteHandlers();
    }

    @Override
    public List<AccessHandler> accessHandlers() {
        return Modules.accessHandlers();
    }
}
