package io.ferry.http;

import io.ferry.variable.HeaderSnapshot;
import io.ferry.variable.Seconds;

/**
 * One upstream attempt as $upstream_addr/_status/_connect_time/_header_time/_response_time/_http_*,
 * $upstream_response_length and $upstream_bytes_sent/_received report it.
 */
public final class UpstreamTiming {
    private final String address;
    private final long started = System.nanoTime();
    private long connected = -1;
    private long finished = -1;
    private long header = -1;
    private long bodyBytes;
    private long received;
    private long sent;
    private int status;
    private HeaderSnapshot headers;

    UpstreamTiming(String address) {
        this.address = address;
    }

    public void connected() {
        connected = System.nanoTime();
    }

    /** A response head arrived (the final one counts for $upstream_header_time). */
    public void status(int status) {
        this.status = status;
        header = System.nanoTime();
    }

    /** Response body bytes as the upstream sent them, framing removed. */
    public void body(long bytes) {
        bodyBytes += bytes;
    }

    public void received(long bytes) {
        received += bytes;
    }

    public void sent(long bytes) {
        sent += bytes;
    }

    /** The response header as the upstream sent it (before hiding or rewriting), for $upstream_http_*. */
    public void headers(io.netty.handler.codec.http.HttpHeaders headers) {
        this.headers = HeaderSnapshot.of(headers);
    }

    void forgetHeaders() {
        headers = null;
    }

    String header(String name) {
        return headers == null ? null : headers.get(name);
    }

    String cookie(String name) {
        return headers == null ? null : headers.setCookie(name);
    }

    public void finished() {
        if (finished < 0) {
            finished = System.nanoTime();
        }
    }

    String address() {
        return address;
    }

    /** nginx writes 502 for an attempt that got no status line, and "-" while nothing is known. */
    String statusText() {
        return status > 0 ? Integer.toString(status) : finished >= 0 ? "502" : "-";
    }

    String connectTime() {
        return connected < 0 ? "-" : Seconds.of(connected - started);
    }

    /** "-" for an attempt that got no response head, as nginx prints it. */
    String headerTime() {
        return header < 0 ? "-" : Seconds.of(header - started);
    }

    String responseLength() {
        return Long.toString(bodyBytes);
    }

    String bytesReceived() {
        return Long.toString(received);
    }

    String bytesSent() {
        return Long.toString(sent);
    }

    /** "-" while the attempt goes on (a header filter reading it sees no time yet), as nginx prints it. */
    String responseTime() {
        return finished < 0 ? "-" : Seconds.of(finished - started);
    }
}
