package io.ferry.upstream.lb;

import io.ferry.conf.Context;
import io.ferry.module.DirectiveRows;
import io.ferry.module.Module;
import java.util.EnumSet;

/**
 * nginx's upstream_random module, http's or stream's: the {@code random [two [least_conn]]} row of
 * an upstream block; the block's builder reads it into the group's method, {@link Random} runs it.
 */
public final class RandomModule implements Module {
    private final boolean stream;

    public RandomModule(boolean stream) {
        this.stream = stream;
    }

    @Override
    public String name() {
        return stream ? "stream_upstream_random_module" : "http_upstream_random_module";
    }

    @Override
    public void directives(DirectiveRows rows) {
        rows.add("random", EnumSet.of(stream ? Context.STREAM_UPSTREAM : Context.UPSTREAM), 0, 2, null, false);
    }
}
