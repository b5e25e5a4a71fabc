package io.ferry.conf.directive;

import io.ferry.conf.Directive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The directives written directly in one block, chained to the enclosing block. nginx's merge rule
 * falls out of the lookups: a value set at an inner level wins, and list directives
 * (proxy_set_header, index) are inherited as a whole only when the inner level sets none.
 */
final class Scope {
    private final Scope parent;
    private final Map<String, List<Directive>> own = new LinkedHashMap<>();
    private final List<Directive> written;
    /** An {@code if} block inside a location (nginx's unnamed location). */
    private final boolean ifBlock;

    Scope(Scope parent, List<Directive> block) {
        this(parent, block, false);
    }

    Scope(Scope parent, List<Directive> block, boolean ifBlock) {
        this.parent = parent;
        this.ifBlock = ifBlock;
        this.written = block;
        for (Directive d : block) {
            own.computeIfAbsent(d.name(), k -> new ArrayList<>()).add(d);
        }
    }

    Directive own(String name) {
        List<Directive> list = own.get(name);
        return list == null ? null : list.get(0);
    }

    List<Directive> ownAll(String name) {
        return own.getOrDefault(name, List.of());
    }

    /** The directives of this block in the order written. */
    List<Directive> written() {
        return written;
    }

    Scope parent() {
        return parent;
    }

    boolean ifBlock() {
        return ifBlock;
    }

    /** The directives of any of these names written here, in the order written. */
    List<Directive> ownAllOf(String... names) {
        List<String> wanted = List.of(names);
        return written.stream().filter(d -> wanted.contains(d.name())).toList();
    }

    Directive inherited(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Directive d = s.own(name);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    List<Directive> inheritedAll(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            List<Directive> list = s.ownAll(name);
            if (!list.isEmpty()) {
                return list;
            }
        }
        return List.of();
    }

    /** The directives of any of these names from the nearest level that writes any, in the order written. */
    List<Directive> inheritedAllOf(String... names) {
        for (Scope s = this; s != null; s = s.parent) {
            List<Directive> list = s.ownAllOf(names);
            if (!list.isEmpty()) {
                return list;
            }
        }
        return List.of();
    }
}
