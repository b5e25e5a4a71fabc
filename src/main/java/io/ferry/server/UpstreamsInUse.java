package io.ferry.server;

import io.ferry.model.HttpConfig;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.model.Upstream;
import io.ferry.model.VirtualServer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Every upstream group a configuration's locations proxy to, so a reload can drain the others. */
final class UpstreamsInUse {
    private UpstreamsInUse() {
    }

    static Set<Upstream> of(HttpConfig http) {
        Set<Upstream> out = new HashSet<>();
        for (VirtualServer vs : http.servers()) {
            add(out, vs.fallback());
            walk(out, vs.locations());
        }
        return out;
    }

    private static void walk(Set<Upstream> out, List<Location> locations) {
        for (Location l : locations) {
            add(out, l.settings());
            walk(out, l.nested());
        }
    }

    private static void add(Set<Upstream> out, LocationSettings s) {
        if (s.proxy() != null) {
            out.add(s.proxy().target().upstream());
        }
    }
}
