package io.ferry.server;

import io.ferry.log.LogModule;
import io.ferry.model.HttpConfig;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.upstream.Upstream;
import io.ferry.model.VirtualServer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a configuration's locations use that outlives one request: upstream groups (a reload
 * drains the others) and access log files (a reload closes the others).
 */
final class ResourcesInUse {
    private ResourcesInUse() {
    }

    static Set<java.nio.file.Path> accessLogPaths(HttpConfig http) {
        Set<java.nio.file.Path> out = new HashSet<>();
        for (LocationSettings s : settings(http)) {
            LogModule.accessLogs(s).forEach(l -> out.add(l.path()));
        }
        return out;
    }

    private static List<LocationSettings> settings(HttpConfig http) {
        List<LocationSettings> out = new java.util.ArrayList<>();
        for (VirtualServer vs : http.servers()) {
            out.add(vs.fallback());
            collect(out, vs.locations());
        }
        return out;
    }

    private static void collect(List<LocationSettings> out, List<Location> locations) {
        for (Location l : locations) {
            out.add(l.settings());
            if (l.limitExcept() != null) {
                out.add(l.limitExcept().settings());
            }
            collect(out, l.nested());
        }
    }

    static Set<Upstream> of(HttpConfig http) {
        Set<Upstream> out = new HashSet<>();
        for (LocationSettings s : settings(http)) {
            out.addAll(s.modules().upstreams());
        }
        return out;
    }
}
