package io.ferry.http.hook;

import io.ferry.model.LocationSettings;
import java.util.List;

/** Chooses the content handler for a location; wired by the server so http does not depend on proxy or files. */
public interface ContentHandlers {
    ContentHandler forLocation(LocationSettings settings);

    /** The modules' response header filters, in order. */
    List<HeaderFilter> headerFilters();

    /** The modules' post-read hooks, in order. */
    List<PostReadHandler> postReadHandlers();

    /** The modules' pre-access hooks, in order. */
    List<PreAccessHandler> preAccessHandlers();

    /** The modules' rewrite-phase handlers, in order. */
    List<RewriteHandler> rewriteHandlers();

    /** The modules' access-phase checks, in order. */
    List<AccessHandler> accessHandlers();
}
