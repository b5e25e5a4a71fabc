package io.ferry.http.v2;

import io.netty.handler.codec.http2.Http2FrameCodecBuilder;

/**
 * The limits a server's HTTP/2 connection holds its client to, beyond those the protocol's settings carry
 * (concurrent streams, header list size). Each ends an abusive connection with GOAWAY ENHANCE_YOUR_CALM
 * before it costs memory or time other clients need; a well-behaved client never comes near them.
 */
final class Http2Defences {
    /** As nginx's limit of frames queued to a client (ngx_http_v2_get_frame): ACKs for PING and SETTINGS it never reads. */
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    /** Rapid reset (CVE-2023-44487): streams a client may cancel in {@link #RST_WINDOW_SECONDS}. */
    static final int MAX_RESETS_PER_WINDOW = 200;
    static final int RST_WINDOW_SECONDS = 30;
    /** DATA frames without a byte and without END_STREAM in a row: they move nothing and cost a frame each. */
    static final int MAX_EMPTY_DATA_FRAMES = 2;
    /** CONTINUATION frames too small to carry a header field, in a row: a flood, not a header block. */
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;

    private Http2Defences() {
    }

    static Http2FrameCodecBuilder apply(Http2FrameCodecBuilder builder) {
        return builder
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RST_WINDOW_SECONDS)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA_FRAMES)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES);
    }
}
