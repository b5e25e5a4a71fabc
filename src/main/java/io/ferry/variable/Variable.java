package io.ferry.variable;

/** A named value resolved per request; null means "not found" (renders as empty). */
@FunctionalInterface
public interface Variable {
    String value(RequestScope scope);
}
