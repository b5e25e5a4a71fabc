package io.ferry.conf;

import java.util.List;

/**
 * One directive occurrence: its name, its arguments (already unquoted and unescaped), its block, and where it was
 * written. {@code block} is {@code null} when the directive ended with {@code ;} and a (possibly empty) list when it
 * opened a block. {@code line} is the line on which the terminating ";" or "{" was read, which is the line
 * nginx names in its messages about the directive.
 */
public record Directive(String name, List<String> args, List<Directive> block, String file, int line) {
    public Directive {
        args = List.copyOf(args);
        block = block == null ? null : List.copyOf(block);
    }

    public boolean hasBlock() {
        return block != null;
    }
}
