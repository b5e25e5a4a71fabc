package io.ferry.stream;

import io.ferry.variable.SessionScope;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.List;

/** What a {@link StreamHandler} sees of its session: the variables, and what it may change. */
public interface StreamContext extends SessionScope {
    /** The client's address as the listening socket saw it, before realip. */
    InetSocketAddress peer();

    /** The client's address: the one realip named, else the peer's. */
    InetSocketAddress address();

    /** "ADDR:PORT" of the listening socket, as error log lines name the server. */
    String serverText();

    /** Makes {@code address} the client's ($remote_addr, $remote_port, access checks), as realip does. */
    void realAddress(InetSocketAddress address);

    /** The client's bytes read so far and not yet relayed (read-only views; the session keeps ownership). */
    List<ByteBuf> preread();
}
