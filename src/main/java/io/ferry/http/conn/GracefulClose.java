package io.ferry.http.conn;

/** A client connection a graceful shutdown asks to end once what it serves now is answered. */
public interface GracefulClose extends io.netty.channel.ChannelHandler {
    void closeWhenIdle();
}
