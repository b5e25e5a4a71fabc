package io.ferry.stream.sslpreread;

import static io.ferry.conf.Context.STREAM;
import static io.ferry.conf.Context.STREAM_SERVER;

import io.ferry.conf.ConfException;
import io.ferry.model.Slot;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Level;
import io.ferry.stream.StreamContext;
import io.ferry.stream.StreamHandler;
import io.ferry.stream.StreamHandlerModule;
import io.ferry.stream.StreamPhase;
import io.ferry.variable.ConnectionScope;
import io.ferry.variable.ConnectionVariable;
import io.ferry.variable.SessionScope;
import io.netty.buffer.ByteBuf;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * nginx's ngx_stream_ssl_preread_module: {@code ssl_preread on} reads the client's ClientHello in
 * the preread phase, without terminating TLS, for {@code $ssl_preread_server_name},
 * {@code $ssl_preread_alpn_protocols} and {@code $ssl_preread_protocol} (a map over them can choose
 * proxy_pass's upstream). The bytes read stay the session's and reach the upstream as they came.
 */
public final class StreamSslPrereadModule implements StreamHandlerModule {
    private static final Slot<ClientHello> HELLO = new Slot<>();

    @Override
    public String name() {
        return "stream_ssl_preread_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("ssl_preread", EnumSet.of(STREAM, STREAM_SERVER), 1, 1, null, false);
    }

    @Override
    public Map<String, ConnectionVariable> variables() {
        return Map.of("ssl_preread_protocol", hello(ClientHello::protocol),
                "ssl_preread_server_name", hello(ClientHello::serverName),
                "ssl_preread_alpn_protocols", hello(ClientHello::alpnProtocols));
    }

    /** Not found (empty) unless the client's first bytes were a ClientHello, or the start of one. */
    private static ConnectionVariable hello(Function<ClientHello, String> value) {
        return (ConnectionScope s) -> s instanceof SessionScope session && session.moduleContext(HELLO) != null
                ? value.apply(session.moduleContext(HELLO)) : null;
    }

    @Override
    public StreamPhase phase() {
        return StreamPhase.PREREAD;
    }

    @Override
    public StreamHandler handler(Level server) throws ConfException {
        return server.flag("ssl_preread", false) ? StreamSslPrereadModule::preread : null;
    }

    private static int preread(StreamContext session) {
        List<ByteBuf> read = session.preread();
        int length = read.stream().mapToInt(ByteBuf::readableBytes).sum();
        if (length == 0) {
            return StreamHandler.AGAIN;
        }
        ClientHello hello = session.moduleContext(HELLO);
        if (hello == null) {
            hello = new ClientHello();
            session.moduleContext(HELLO, hello);
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (ByteBuf b : read) {
            b.getBytes(b.readerIndex(), bytes, at, b.readableBytes());
            at += b.readableBytes();
        }
        return switch (hello.read(bytes, length)) {
            case AGAIN -> StreamHandler.AGAIN;
            case DONE -> StreamHandler.NEXT;
            case NOT_TLS -> {
                session.moduleContext(HELLO, null);
                yield StreamHandler.NEXT;
            }
        };
    }
}
