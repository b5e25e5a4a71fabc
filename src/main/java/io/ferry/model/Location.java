package io.ferry.model;

import java.util.List;
import java.util.regex.Pattern;

/** A location block with its effective (inherited and merged) settings and its nested locations. */
public record Location(
        LocationModifier modifier,
        String path,
        Pattern regex,
        List<Location> nested,
        LocationSettings settings,
        String file,
        int line) {

    public String describe() {
        return "location " + (modifier.symbol().isEmpty() ? "" : modifier.symbol() + " ") + path;
    }
}
