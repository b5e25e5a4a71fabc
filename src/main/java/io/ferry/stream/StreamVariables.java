package io.ferry.stream;

import io.ferry.variable.SocketText;

import io.ferry.tls.ServerNames;
import io.ferry.variable.Seconds;

import io.ferry.net.TrafficCounter;
import io.ferry.model.Slot;
import io.ferry.variable.Captures;
import io.ferry.variable.ConnectionVariable;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.MatchResult;
import javax.net.ssl.SSLSession;

/**
 * What a stream session exposes to variables (nginx's stream core, upstream and ssl variables): the
 * client connection's, plus its byte counts and times and its upstream attempts, which the session
 * records here as it goes.
 */
final class StreamVariables implements StreamContext {
    /** The stream block's variables beyond a connection's. */
    static final Map<String, ConnectionVariable> OWN = Map.of(
            "bytes_received", session(StreamVariables::bytesReceived),
            "session_time", session(StreamVariables::sessionTime),
            "upstream_bytes_sent", session(StreamVariables::upstreamBytesSent),
            "upstream_bytes_received", session(StreamVariables::upstreamBytesReceived),
            "upstream_session_time", session(StreamVariables::upstreamSessionTime),
            "upstream_first_byte_time", session(StreamVariables::upstreamFirstByteTime),
            "protocol", session(v -> v.client == null ? "UDP" : "TCP"),
            "limit_conn_status", session(v -> v.limitConnStatus == null ? null : v.limitConnStatus.name()));

    private static final AtomicLong SERIAL = new AtomicLong();

    /** The client's connection; null for a UDP session, whose datagrams come through the listening socket. */
    private final Channel client;
    private final java.net.SocketAddress local;
    private final java.net.SocketAddress remote;
    private final List<ByteBuf> preread;
    /** The client's address realip took from the PROXY protocol header, else null. */
    private InetSocketAddress real;
    private final TrafficCounter clientTraffic = new TrafficCounter();
    private final long connection = SERIAL.incrementAndGet();
    private final long started = System.nanoTime();
    private final List<String> upstreamAddrs = new ArrayList<>();
    private final List<String> connectTimes = new ArrayList<>();
    /** Each failed attempt's duration: nginx lists every attempt in the per-upstream variables. */
    private final List<String> failedTimes = new ArrayList<>();
    private TrafficCounter upstreamTraffic;
    private long upstreamConnected;
    /** How long after its connect began the connected upstream's first byte came; -1 until then. */
    private long firstByte = -1;
    private long endedAt;
    private boolean ended;
    private int status = 200;
    private StreamLimitConn.Status limitConnStatus;
    /** The server's ssl_verify_client, which $ssl_client_verify reports by. */
    private io.ferry.tls.ClientVerify clientVerify = io.ferry.tls.ClientVerify.OFF;
    private int prereadLimit = Integer.MAX_VALUE;
    private MatchResult captures;
    private final Map<String, String> assigned = new HashMap<>(4);
    private final Map<Slot<?>, Object> contexts = new HashMap<>(4);

    StreamVariables(Channel client, List<ByteBuf> preread) {
        this(client, client.localAddress(), client.remoteAddress(), preread);
    }

    /** A UDP session: {@code local} the listening socket's address, {@code remote} the client's. */
    StreamVariables(java.net.SocketAddress local, java.net.SocketAddress remote, List<ByteBuf> preread) {
        this(null, local, remote, preread);
    }

    private StreamVariables(Channel client, java.net.SocketAddress local, java.net.SocketAddress remote, List<ByteBuf> preread) {
        this.client = client;
        this.local = local;
        this.remote = remote;
        this.preread = Collections.unmodifiableList(preread);
    }

    @Override
    public InetSocketAddress peer() {
        return remote instanceof InetSocketAddress inet ? inet : null;
    }

    @Override
    public void realAddress(InetSocketAddress address) {
        real = address;
    }

    @Override
    public List<ByteBuf> preread() {
        int room = prereadLimit;
        List<ByteBuf> seen = new ArrayList<>(preread.size());
        for (ByteBuf b : preread) {
            if (room <= 0) {
                break;
            }
            seen.add(b.readableBytes() <= room ? b : b.slice(b.readerIndex(), room));
            room -= Math.min(room, b.readableBytes());
        }
        return seen;
    }

    private static ConnectionVariable session(Function<StreamVariables, String> value) {
        return s -> s instanceof StreamVariables v ? value.apply(v) : null;
    }

    // ---- what the session records ------------------------------------------------------------

    /** The client's byte counter, put in its pipeline below the relay. */
    TrafficCounter clientTraffic() {
        return clientTraffic;
    }

    long started() {
        return started;
    }

    void limitConnStatus(StreamLimitConn.Status s) {
        limitConnStatus = s;
    }

    /** preread_buffer_size: the preread phase's handlers see no more of the client's bytes than this. */
    void prereadLimit(int bytes) {
        prereadLimit = bytes;
    }

    /** Whether the client sent at least preread_buffer_size bytes: a handler still waiting then never will have more. */
    boolean prereadFull() {
        return preread.stream().mapToLong(ByteBuf::readableBytes).sum() >= prereadLimit;
    }

    void clientVerify(io.ferry.tls.ClientVerify verify) {
        clientVerify = verify;
    }

    void status(int code) {
        status = code;
    }

    void attempt(String address) {
        upstreamAddrs.add(address);
    }

    void attemptFailed(long attemptStart) {
        connectTimes.add("-");
        failedTimes.add(Seconds.of(System.nanoTime() - attemptStart));
    }

    void connected(long attemptStart, TrafficCounter traffic) {
        upstreamConnected = System.nanoTime();
        connectTimes.add(Seconds.of(upstreamConnected - attemptStart));
        upstreamTraffic = traffic;
        traffic.onNextBytes(() -> firstByte = System.nanoTime() - attemptStart);
    }

    void ended() {
        ended = true;
        endedAt = System.nanoTime();
    }

    @Override
    public InetSocketAddress address() {
        return real != null ? real : peer();
    }

    @Override
    public String serverText() {
        return local instanceof InetSocketAddress inet ? SocketText.address(inet) + ":" + inet.getPort() : SocketText.address(local);
    }


    // ---- the values ----------------------------------------------------------------------------

    @Override
    public String capture(int n) {
        return captures != null && n <= captures.groupCount() ? captures.group(n) : null;
    }

    @Override
    public String capture(String name) {
        return captures instanceof Captures c ? c.group(name) : null;
    }

    @Override
    public void captures(MatchResult match) {
        captures = match;
    }

    @Override
    public String userVariable(String name) {
        return assigned.get(name);
    }

    @Override
    public void setUserVariable(String name, String value) {
        assigned.put(name, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T moduleContext(Slot<T> slot) {
        return (T) contexts.get(slot);
    }

    @Override
    public <T> void moduleContext(Slot<T> slot, T context) {
        contexts.put(slot, context);
    }

    @Override
    public String remoteAddr() {
        return SocketText.address(real != null ? real : remote);
    }

    @Override
    public String remotePort() {
        return SocketText.port(real != null ? real : remote);
    }

    @Override
    public String serverAddr() {
        return SocketText.address(local);
    }

    @Override
    public String serverPort() {
        return SocketText.port(local);
    }

    @Override
    public String status() {
        return Integer.toString(status);
    }

    @Override
    public String bytesSent() {
        return Long.toString(clientTraffic.out());
    }

    String bytesReceived() {
        return Long.toString(clientTraffic.in());
    }

    /** Seconds since the connection was accepted, millisecond resolution ("1.234"). */
    String sessionTime() {
        return Seconds.of((ended ? endedAt : System.nanoTime()) - started);
    }

    @Override
    public String connection() {
        return Long.toString(connection);
    }

    @Override
    public String upstreamAddr() {
        return upstreamAddrs.isEmpty() ? null : String.join(", ", upstreamAddrs);
    }

    @Override
    public String upstreamConnectTime() {
        return connectTimes.isEmpty() ? null : String.join(", ", connectTimes);
    }

    String upstreamBytesSent() {
        return perAttempt("0", upstreamTraffic == null ? null : Long.toString(upstreamTraffic.out()));
    }

    String upstreamBytesReceived() {
        return perAttempt("0", upstreamTraffic == null ? null : Long.toString(upstreamTraffic.in()));
    }

    /**
     * Seconds each upstream connection was open, millisecond resolution; the last one's until the session ends, as
     * nginx keeps it open until it finalizes the session (after the client has been sent everything).
     */
    String upstreamSessionTime() {
        String current = null;
        if (upstreamConnected != 0) {
            long end = ended ? endedAt : System.nanoTime();
            current = Seconds.of(Math.max(0, end - upstreamConnected));
        }
        return joined(new ArrayList<>(failedTimes), current);
    }

    /** Seconds from the start of each connect to the upstream's first byte; "-" for none. */
    String upstreamFirstByteTime() {
        return perAttempt("-", upstreamConnected == 0 ? null : firstByte < 0 ? "-" : Seconds.of(firstByte));
    }

    /** One value per attempt, as nginx's upstream states: a failed attempt moved no bytes. */
    private String perAttempt(String failed, String current) {
        return joined(new ArrayList<>(Collections.nCopies(failedTimes.size(), failed)), current);
    }

    private static String joined(List<String> values, String current) {
        if (current != null) {
            values.add(current);
        }
        return values.isEmpty() ? null : String.join(", ", values);
    }

    @Override
    public String sslProtocol() {
        SSLSession s = sslSession();
        return s == null ? null : s.getProtocol();
    }

    @Override
    public String sslCipher() {
        SSLSession s = sslSession();
        return s == null ? null : ServerNames.cipher(s);
    }

    @Override
    public String sslServerName() {
        SSLSession s = sslSession();
        return s == null ? null : ServerNames.requested(s);
    }

    @Override
    public String sslSessionReused() {
        SslHandler ssl = sslHandler();
        return ssl == null ? null : ServerNames.reused(ssl.engine());
    }

    @Override
    public String sslSessionId() {
        SslHandler ssl = sslHandler();
        return ssl == null ? null : ServerNames.sessionId(ssl.engine());
    }

    @Override
    public io.ferry.proxyprotocol.ProxyHeader proxyProtocol() {
        return client == null ? null : io.ferry.proxyprotocol.ProxyHeader.of(client);
    }

    @Override
    public io.ferry.tls.TlsPeer tlsPeer() {
        SslHandler ssl = sslHandler();
        return ssl == null ? null : new io.ferry.tls.TlsPeer(client, ssl.engine(), clientVerify);
    }

    private SSLSession sslSession() {
        SslHandler ssl = sslHandler();
        return ssl == null ? null : ssl.engine().getSession();
    }

    private SslHandler sslHandler() {
        return client == null ? null : client.pipeline().get(SslHandler.class);
    }
}
