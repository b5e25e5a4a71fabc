package io.ferry.conf.directive;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.Location;
import io.ferry.model.LocationSettings;
import io.ferry.model.ModuleSettings;
import io.ferry.model.Slot;
import io.ferry.conf.Addresses;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamNames;
import io.ferry.module.Level;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A {@link Scope} as modules see it while building their settings; {@code http} is what they built at
 * the http level, {@code ifBlocks} builds an {@code if} block's settings (null where they have none).
 */
record ModuleLevel(Scope scope, Variables variables, Path prefix, Path confPrefix, Location location, Map<String, Upstream> upstreams,
                   ModuleSettings http, IfBlocks ifBlocks) implements Level {
    private static final ModuleSettings NONE = new ModuleSettings(new Object[0]);
    /** The directives that make a location's content handler one of an upstream module's. */
    private static final List<String> PASSES = List.of("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "memcached_pass");

    /** The settings of one {@code if} block, whose scope encloses this level's. */
    interface IfBlocks {
        LocationSettings build(Scope block) throws ConfException;
    }

    /** A level outside http, or the http level itself while its per-configuration settings are built. */
    ModuleLevel(Scope scope, Variables variables, Path prefix, Path confPrefix, Location location, Map<String, Upstream> upstreams) {
        this(scope, variables, prefix, confPrefix, location, upstreams, NONE, null);
    }

    @Override
    public Directive own(String name) {
        return scope.own(name);
    }

    @Override
    public Directive pass(String name) {
        for (Scope s = scope; ; s = s.parent()) {
            Directive d = s.own(name);
            if (d != null || !s.ifBlock() || writesPass(s)) {
                return d;
            }
        }
    }

    private static boolean writesPass(Scope s) {
        for (String p : PASSES) {
            if (s.own(p) != null) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Directive> ownAll(String name) {
        return scope.ownAll(name);
    }

    @Override
    public List<Directive> written() {
        return scope.written();
    }

    @Override
    public Directive inherited(String name) {
        return scope.inherited(name);
    }

    @Override
    public List<Directive> inheritedAll(String name) {
        return scope.inheritedAll(name);
    }

    @Override
    public <T> T http(Slot<T> slot) {
        return slot.in(http);
    }

    @Override
    public List<Directive> inheritedAllOf(String... names) {
        return scope.inheritedAllOf(names);
    }

    @Override
    public LocationSettings ifSettings(Directive ifBlock) throws ConfException {
        return ifBlocks == null ? null : ifBlocks.build(new Scope(scope, ifBlock.block(), true));
    }

    @Override
    public Template template(Directive d, String text) throws ConfException {
        return ConfigBuilder.template(d, text, variables);
    }

    @Override
    public boolean variableDefined(String name) {
        return variables.isDefined(name);
    }

    @Override
    public Upstream group(String name) {
        return upstreams.get(name);
    }

    @Override
    public Upstream upstream(Directive pass, boolean unix) throws ConfException {
        String address = pass.args().get(0);
        if (unix && address.startsWith("unix:") && !upstreams.containsKey(address)) {
            return UpstreamBuilder.implicitUnix(pass, address);
        }
        Upstream group = UpstreamBuilder.target(pass, upstreams);
        if (!upstreams.containsValue(group)) {
            Addresses.HostPort hp = Addresses.parse(pass, address, 0, false);
            upstreams.putIfAbsent(UpstreamNames.implicitKey(hp.host(), hp.port()), group);
        }
        return group;
    }

    /** An implicit group is also kept by host and port, for *_pass with variables to find, as nginx does. */
    @Override
    public Upstream implicit(Directive d, String hostPort, String host, int port) throws ConfException {
        Upstream group = UpstreamBuilder.implicit(d, hostPort, host, port);
        upstreams.putIfAbsent(UpstreamNames.implicitKey(host, port), group);
        return group;
    }

    @Override
    public UpstreamNames upstreamNames() {
        return new UpstreamNames(upstreams);
    }
}
