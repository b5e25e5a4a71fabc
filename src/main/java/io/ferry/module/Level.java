package io.ferry.module;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.variable.Template;
import java.util.List;

/**
 * One configuration level (http, server, location or if) as a module sees it while building its
 * settings. nginx's merge rule is in the lookups: a value written at an inner level wins, and a list
 * directive is inherited as a whole only when the inner level writes none.
 */
public interface Level {
    /** The directive written at this level, or null. */
    Directive own(String name);

    /** This level's value, else the nearest enclosing level's, or null. */
    Directive inherited(String name);

    /** Every line of a repeatable directive from the nearest level that writes any. */
    List<Directive> inheritedAll(String name);

    /** A value with variables, compiled against this configuration's variables. */
    Template template(Directive d, String text) throws ConfException;
}
