package io.ferry.variable;

/** A named value resolved per request; null means "not found" (renders as empty). */
@FunctionalInterface
public interface Variable extends ConnectionVariable {
    String value(RequestScope scope);

    /** A connection without a request (a stream session) has none of a request's variables. */
    @Override
    default String value(ConnectionScope scope) {
        return scope instanceof RequestScope request ? value(request) : null;
    }
}
