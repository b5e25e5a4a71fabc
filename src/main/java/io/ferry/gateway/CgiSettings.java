package io.ferry.gateway;

import java.util.Set;

/** What a CGI-style response head (FastCGI, uwsgi, SCGI) needs of its module's settings. */
public interface CgiSettings {
    /** PREFIX_intercept_errors: error_page may replace a response with a status of 300 or more. */
    boolean interceptErrors();

    BufferSettings buffering();

    /** Response headers not passed to the client: nginx's defaults plus PREFIX_hide_header, minus PREFIX_pass_header. */
    Set<String> hiddenHeaders();
}
