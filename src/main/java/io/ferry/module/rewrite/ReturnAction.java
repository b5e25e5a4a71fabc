package io.ferry.module.rewrite;

import io.ferry.variable.Template;

/** return CODE [TEXT|URL]; text is a body, or the Location for 301/302/303/307/308. */
public record ReturnAction(int status, Template text) {
    public boolean isRedirect() {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
