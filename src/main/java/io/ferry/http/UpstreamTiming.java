package io.ferry.http;

import io.ferry.variable.HeaderSnapshot;
import io.ferry.variable.Seconds;

/** One upstream attempt as $upstream_addr/_status/_connect_time/_response_time/_http_* report it. */
public final class UpstreamTiming {
    private final String address;
    private final long started = System.nanoTime();
    private long connected = -1;
    private long finished = -1;
    private int status;
    private HeaderSnapshot headers;

    UpstreamTiming(String address) {
        this.address = address;
    }

    public void connected() {
        connected = System.nanoTime();
    }

    public void status(int status) {
        this.status = status;
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

    String responseTime() {
        return Seconds.of((finished < 0 ? System.nanoTime() : finished) - started);
    }
}
