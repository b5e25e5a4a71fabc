package io.ferry.http.hook;

import io.netty.handler.codec.http.HttpContent;

/** Receives the request body of an exchange, one chunk at a time; it owns each chunk it is given. */
public interface BodySink {
    void onBody(HttpContent chunk);
}
