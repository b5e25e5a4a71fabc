package io.ferry.conf.directive;

import io.ferry.conf.ConfException;
import io.ferry.net.SocketOptions;
import io.ferry.conf.Directive;
import io.ferry.conf.Addresses;
import io.ferry.log.AccessLog;
import io.ferry.log.LogFormats;
import io.ferry.model.Listen;
import io.ferry.tls.Tls;
import io.ferry.upstream.Upstream;
import io.ferry.module.Level;
import io.ferry.stream.StreamLoader;
import io.ferry.variable.Variables;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The stream block as {@link io.ferry.stream.StreamSettings} sees it: its levels and the builders it shares with http. */
final class StreamBlock implements StreamLoader {
    private final ConfigBuilder config;
    private final Path prefix;
    private final Scope stream;
    private Variables variables;
    private Map<String, Upstream> upstreams;
    private LogFormats logs;

    StreamBlock(ConfigBuilder config, Path prefix, Scope stream) {
        this.config = config;
        this.prefix = prefix;
        this.stream = stream;
    }

    @Override
    public Level block(Variables variables, NameCheck names, VariableBlocks blocks) throws ConfException {
        for (Directive u : stream.ownAll("upstream")) {
            for (Directive d : u.block()) {
                if (d.name().equals("hash")) {
                    names.check(d, d.args().get(0));
                }
            }
        }
        this.variables = variables;
        NamedCaptures.define(stream.written(), variables);
        config.maps(stream, variables, blocks);
        this.upstreams = UpstreamBuilder.build(stream, variables, true);
        this.logs = LogFormats.stream(level(stream), names::check);
        return level(stream);
    }

    @Override
    public Level server(Directive block) {
        return level(new Scope(stream, block.block()));
    }

    private ModuleLevel level(Scope s) {
        return new ModuleLevel(s, variables, prefix, config.confPrefix(), null, upstreams);
    }

    @Override
    public List<AccessLog> accessLogs(Level level) throws ConfException {
        return logs.accessLogs(level);
    }

    @Override
    public Tls tls(Level level, List<Listen> listens, Directive block) throws ConfException {
        return config.tls(((ModuleLevel) level).scope(), listens, block);
    }

    @Override
    public Listen address(Directive d, String text) throws ConfException {
        Addresses.HostPort hp = Addresses.parse(d, text, 0, true);
        return new Listen(hp.host(), hp.port(), false, false, SocketOptions.DEFAULT, d.file(), d.line());
    }
}
