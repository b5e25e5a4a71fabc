package io.ferry.http.v2;

/**
 * nginx's HTTP/2 settings at one level. Whether a connection speaks HTTP/2 and what it advertises
 * (concurrent streams, the initial stream window of http2_body_preread_size) come from the server
 * the connection belongs to; the DATA frame size (http2_chunk_size) from each request's location.
 */
public record Http2Settings(boolean enabled, int maxConcurrentStreams, int bodyPrereadSize, int chunkSize,
                            int recvBufferSize) {
    public static final Http2Settings DEFAULT = new Http2Settings(false, 128, 64 * 1024, 8 * 1024, 256 * 1024);
}
