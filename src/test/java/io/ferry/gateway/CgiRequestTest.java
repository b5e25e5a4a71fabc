package io.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Request headers as HTTP_* params, as nginx names them. */
class CgiRequestTest {
    @Test
    void headerNamesBecomeUpperCaseWithUnderscores() {
        assertThat(CgiRequest.headerParam("host")).isEqualTo("HTTP_HOST");
        assertThat(CgiRequest.headerParam("x-forwarded-for")).isEqualTo("HTTP_X_FORWARDED_FOR");
        assertThat(CgiRequest.headerParam("accept-encoding2")).isEqualTo("HTTP_ACCEPT_ENCODING2");
    }

    @Test
    void namesNginxWouldIgnoreAndHttpoxyAreNotPassed() {
        assertThat(CgiRequest.headerParam("x_forwarded_for")).as("underscore could pose as a dash").isNull();
        assertThat(CgiRequest.headerParam("x.dot")).isNull();
        assertThat(CgiRequest.headerParam("proxy")).isNull();
    }
}
