package io.ferry.conf.directive;

import io.ferry.conf.Values;
import io.ferry.conf.ConfException;
import io.ferry.conf.Directive;
import io.ferry.model.ErrorPage;
import io.ferry.model.TryFiles;
import io.ferry.variable.Template;
import io.ferry.variable.Variables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** error_page and try_files: the http core directives that send a request on to another URI. */
final class RedirectsBuilder {
    private final Variables variables;

    RedirectsBuilder(Variables variables) {
        this.variables = variables;
    }

    /** error_page at the nearest level that has any, as nginx inherits it. */
    Map<Integer, ErrorPage> errorPages(Scope s) throws ConfException {
        Map<Integer, ErrorPage> pages = new HashMap<>();
        for (Directive d : s.inheritedAll("error_page")) {
            List<String> args = d.args();
            if (args.size() < 2) {
                throw Values.error(d, "invalid number of arguments in \"error_page\" directive");
            }
            Template uri = ConfigBuilder.template(d, args.get(args.size() - 1), variables);
            Integer status = null;
            boolean keepTarget = false;
            int codes = args.size() - 1;
            String maybeOverride = args.get(args.size() - 2);
            if (maybeOverride.startsWith("=")) {
                codes--;
                if (maybeOverride.length() == 1) {
                    keepTarget = true;
                } else {
                    status = Values.positiveInt(d, maybeOverride.substring(1));
                }
            }
            if (codes < 1) {
                throw Values.error(d, "invalid number of arguments in \"error_page\" directive");
            }
            for (String code : args.subList(0, codes)) {
                int c;
                try {
                    c = Integer.parseInt(code);
                } catch (NumberFormatException e) {
                    c = -1;
                }
                if (c < 300 || c > 599) {
                    throw Values.error(d, "value \"" + code + "\" must be between 300 and 599");
                }
                pages.put(c, new ErrorPage(uri, status, keepTarget));
            }
        }
        return Map.copyOf(pages);
    }

    TryFiles tryFiles(Scope s) throws ConfException {
        Directive d = s.own("try_files");
        if (d == null) {
            return null;
        }
        List<Template> files = new ArrayList<>();
        for (String f : d.args().subList(0, d.args().size() - 1)) {
            files.add(ConfigBuilder.template(d, f, variables));
        }
        String fallback = d.args().get(d.args().size() - 1);
        if (fallback.startsWith("=")) {
            Values.positiveInt(d, fallback.substring(1));
        }
        return new TryFiles(List.copyOf(files), ConfigBuilder.template(d, fallback, variables));
    }
}
