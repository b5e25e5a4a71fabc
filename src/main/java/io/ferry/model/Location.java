package io.ferry.model;

import java.util.List;
import io.ferry.variable.Regex;

/** A location block with its effective (inherited and merged) settings and its nested locations. */
public record Location(
        LocationModifier modifier,
        String path,
        Regex regex,
        List<Location> nested,
        LocationSettings settings,
        String file,
        int line) {

    public String describe() {
        return "location " + (modifier.symbol().isEmpty() ? "" : modifier.symbol() + " ") + path;
    }
}
