package io.ferry.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Request headers as HTTP_* params, as nginx names them. */
class FastCgiRequestTest {
    @Test
    void headerNamesBecomeUpperCaseWithUnderscores() {
        assertThat(FastCgiRequest.headerParam("host")).isEqualTo("HTTP_HOST");
        assertThat(FastCgiRequest.headerParam("x-forwarded-for")).isEqualTo("HTTP_X_FORWARDED_FOR");
        assertThat(FastCgiRequest.headerParam("accept-encoding2")).isEqualTo("HTTP_ACCEPT_ENCODING2");
    }

    @Test
    void namesNginxWouldIgnoreAndHttpoxyAreNotPassed() {
        assertThat(FastCgiRequest.headerParam("x_forwarded_for")).as("underscore could pose as a dash").isNull();
        assertThat(FastCgiRequest.headerParam("x.dot")).isNull();
        assertThat(FastCgiRequest.headerParam("proxy")).isNull();
    }
}
