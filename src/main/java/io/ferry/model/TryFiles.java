package io.ferry.model;

import io.ferry.variable.Template;
import java.util.List;

/** try_files file ... fallback; the fallback is a URI, @named location, or "=CODE". */
public record TryFiles(List<Template> files, Template fallback) {
}
