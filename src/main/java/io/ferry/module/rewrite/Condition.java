package io.ferry.module.rewrite;

import io.ferry.variable.Regex;
import io.ferry.variable.Template;

/**
 * The condition of an `if`: a variable's truth ("" and "0" are false), = / != a string,
 * ~ / ~* / !~ / !~* a regex, or -f / -d / -e / -x (and their negations) on a path.
 */
record Condition(Kind kind, Template subject, Template operand, Regex regex, boolean negate) {
    public enum Kind { TRUTH, EQUALS, MATCHES, FILE, DIRECTORY, EXISTS, EXECUTABLE }
}
