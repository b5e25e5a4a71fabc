package io.ferry.variable;

/** A named value of a connection, HTTP's or stream's; null means "not found" (renders as empty). */
@FunctionalInterface
public interface ConnectionVariable {
    String value(ConnectionScope scope);
}
