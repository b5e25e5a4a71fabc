package io.ferry.model;

/** error_log FILE|stderr [LEVEL]. */
public record ErrorLog(String target, String level) {
    public boolean isStderr() {
        return "stderr".equals(target);
    }
}
