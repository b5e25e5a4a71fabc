package io.ferry.conf.directive;

import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.module.Level;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.util.List;

/** A {@link Scope} as modules see it while building their settings. */
record ModuleLevel(Scope scope, Variables variables) implements Level {
    @Override
    public Directive own(String name) {
        return scope.own(name);
    }

    @Override
    public Directive inherited(String name) {
        return scope.inherited(name);
    }

    @Override
    public List<Directive> inheritedAll(String name) {
        return scope.inheritedAll(name);
    }

    @Override
    public Template template(Directive d, String text) throws ConfException {
        return ConfigBuilder.template(d, text, variables);
    }
}
