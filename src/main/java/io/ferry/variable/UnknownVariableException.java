package io.ferry.variable;

/** A template names a variable that no module defines; the config check reports it with file:line. */
public class UnknownVariableException extends IllegalArgumentException {
    public UnknownVariableException(String name) {
        super("unknown \"" + name + "\" variable");
    }
}
