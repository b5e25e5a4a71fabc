package io.ferry.server;

import io.ferry.route.ServerSelector;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;

/** The virtual servers reachable through one local address of a listening socket, and their TLS mapping (null for plain). */
record Site(ServerSelector selector, Mapping<String, SslContext> sni) {
    boolean secure() {
        return sni != null;
    }
}
