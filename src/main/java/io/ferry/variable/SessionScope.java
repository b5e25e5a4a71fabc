package io.ferry.variable;

/**
 * What a stream (TCP) session adds to the variables a request exposes: the stream module's byte
 * counts and times. HTTP-only values of {@link RequestScope} are null for a session.
 */
public interface SessionScope extends RequestScope {
    /** Bytes read from the client. */
    String bytesReceived();

    /** Seconds since the connection was accepted, millisecond resolution ("1.234"). */
    String sessionTime();

    String upstreamBytesSent();

    String upstreamBytesReceived();

    /** Seconds the upstream connection was open, millisecond resolution. */
    String upstreamSessionTime();
}
