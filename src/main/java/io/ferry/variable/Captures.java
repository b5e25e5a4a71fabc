package io.ferry.variable;

import java.util.Map;
import java.util.regex.MatchResult;

/** A regex match that also answers by group name, for $name variables from named captures. */
public final class Captures implements MatchResult {
    private final MatchResult match;
    private final Map<String, Integer> names;

    Captures(MatchResult match, Map<String, Integer> names) {
        this.match = match;
        this.names = names;
    }

    /** The named group's text, or null when this match has no such group or it did not participate. */
    public String group(String name) {
        Integer index = names.get(name);
        return index == null ? null : match.group(index);
    }

    @Override
    public int start() {
        return match.start();
    }

    @Override
    public int start(int group) {
        return match.start(group);
    }

    @Override
    public int end() {
        return match.end();
    }

    @Override
    public int end(int group) {
        return match.end(group);
    }

    @Override
    public String group() {
        return match.group();
    }

    @Override
    public String group(int group) {
        return match.group(group);
    }

    @Override
    public int groupCount() {
        return match.groupCount();
    }
}
