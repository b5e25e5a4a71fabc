package io.ferry.http;

import io.ferry.tls.ServerNames;
import io.ferry.variable.ConnectionScope;
import io.ferry.variable.SocketText;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;

/**
 * The part of an exchange's variables ({@link ConnectionScope}) its connection answers: the client
 * (as a post-read hook such as realip may name it), the local address, TLS, the connection's
 * number and age, and the bytes counted since this request began. Apart from {@link ExchangeVariables}
 * because none of it depends on how the request was routed.
 */
public abstract class ExchangeConnection implements ConnectionScope {
    final ChannelHandlerContext ctx;
    final HttpConnectionHandler connection;
    final boolean secure;
    final int requestNumber;
    private final long startNanos = System.nanoTime();
    private final long inAtStart;
    private final long outAtStart;
    private String realRemoteAddr;
    private String realRemotePort;

    ExchangeConnection(ChannelHandlerContext ctx, HttpConnectionHandler connection, boolean secure, int requestNumber) {
        this.ctx = ctx;
        this.connection = connection;
        this.secure = secure;
        this.requestNumber = requestNumber;
        this.inAtStart = connection.inMark();
        this.outAtStart = connection.traffic().out();
    }

    public long durationNanos() {
        return System.nanoTime() - startNanos;
    }

    public long bytesSentCount() {
        return connection.traffic().out() - outAtStart;
    }

    public long bytesReceivedCount() {
        return connection.traffic().in() - inAtStart;
    }

    /** $remote_addr: the peer, unless a post-read hook named another client. */
    @Override
    public String remoteAddr() {
        return realRemoteAddr != null ? realRemoteAddr : SocketText.address(ctx.channel().remoteAddress());
    }

    /** Whether a post-read or pre-access hook (realip) already named the client. */
    public boolean remoteAddrReplaced() {
        return realRemoteAddr != null;
    }

    /** The client a trusted proxy names (realip): $remote_addr from now on. */
    public void remoteAddr(String address) {
        realRemoteAddr = address;
    }

    /** The client's port when the trusted proxy names one too (realip from a PROXY protocol header). */
    public void remotePort(String port) {
        realRemotePort = port;
    }

    @Override
    public String remotePort() {
        return realRemotePort != null ? realRemotePort : SocketText.port(ctx.channel().remoteAddress());
    }

    @Override
    public io.ferry.proxyprotocol.ProxyHeader proxyProtocol() {
        return io.ferry.proxyprotocol.ProxyHeader.of(ctx.channel());
    }

    @Override
    public String serverAddr() {
        return SocketText.address(ctx.channel().localAddress());
    }

    @Override
    public String serverPort() {
        return SocketText.port(ctx.channel().localAddress());
    }

    @Override
    public String bytesSent() {
        return Long.toString(bytesSentCount());
    }

    @Override
    public String connection() {
        return Long.toString(connection.connectionId());
    }

    /** The connection's TLS; a stream of an HTTP/2 connection finds it on the connection, its parent channel. */
    SslHandler ssl() {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        return ssl != null || !connection.multiplexed() ? ssl : ctx.channel().parent().pipeline().get(SslHandler.class);
    }

    @Override
    public String sslProtocol() {
        SslHandler ssl = ssl();
        return ssl == null ? null : ssl.engine().getSession().getProtocol();
    }

    @Override
    public String sslCipher() {
        SslHandler ssl = ssl();
        return ssl == null ? null : ServerNames.cipher(ssl.engine().getSession());
    }

    @Override
    public String sslServerName() {
        SslHandler ssl = ssl();
        return ssl == null ? null : ServerNames.requested(ssl.engine().getSession());
    }

    @Override
    public String sslSessionReused() {
        SslHandler ssl = ssl();
        return ssl == null ? null : ServerNames.reused(ssl.engine());
    }

    @Override
    public String sslSessionId() {
        SslHandler ssl = ssl();
        return ssl == null ? null : ServerNames.sessionId(ssl.engine());
    }
}
