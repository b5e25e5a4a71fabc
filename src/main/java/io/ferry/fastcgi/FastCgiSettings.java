package io.ferry.fastcgi;

import io.ferry.gateway.BufferSettings;
import io.ferry.gateway.CgiRequest;
import io.ferry.gateway.CgiSettings;
import io.ferry.upstream.NextUpstream;
import io.ferry.upstream.Upstream;
import io.ferry.upstream.UpstreamNames;
import io.ferry.upstream.UpstreamUser;
import io.ferry.variable.Template;
import io.ferry.variable.Regex;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * fastcgi_* settings of a location with fastcgi_pass. {@code params} is the effective fastcgi_param
 * list (nginx inheritance: the nearest level that sets any replaces the inherited ones);
 * {@code address} is the fastcgi_pass argument as written, for logs ("fastcgi://ADDRESS").
 * {@code interceptErrors} is fastcgi_intercept_errors: error_page may replace responses with a
 * status of 300 or more. {@code catchStderr} is fastcgi_catch_stderr: a STDERR record containing one
 * of these strings makes the response invalid.
 * {@code buffering} is fastcgi_buffering and its family; {@code hiddenHeaders} are the response
 * headers not passed to the client (nginx's defaults plus fastcgi_hide_header, minus fastcgi_pass_header).
 * {@code requestBuffering} (fastcgi_request_buffering)
 * reads the body whole before a peer is chosen, so CONTENT_LENGTH is known. Without
 * {@code passRequestBody} (fastcgi_pass_request_body off) STDIN is empty.
 * A fastcgi_pass with variables has no
 * {@code upstream} but {@code addressVariables}, evaluated per request, and the {@code names} of
 * the groups it may name.
 */
public record FastCgiSettings(
        Upstream upstream,
        String address,
        List<CgiRequest.Param> params,
        String index,
        Regex splitPathInfo,
        boolean keepConn,
        Duration connectTimeout,
        Duration readTimeout,
        Duration sendTimeout,
        boolean interceptErrors,
        NextUpstream nextUpstream,
        List<String> catchStderr,
        BufferSettings buffering,
        Set<String> hiddenHeaders,
        boolean requestBuffering,
        boolean passRequestBody,
        Template addressVariables,
        UpstreamNames names) implements UpstreamUser, CgiSettings {

    /** Whether stderr text contains one of the fastcgi_catch_stderr strings. */
    public boolean catches(String stderr) {
        for (String s : catchStderr) {
            if (stderr.contains(s)) {
                return true;
            }
        }
        return false;
    }

    /** $fastcgi_script_name: group 1 of fastcgi_split_path_info (or the URI), plus fastcgi_index after a '/'. */
    public String scriptName(String uri) {
        String script = uri;
        if (splitPathInfo != null) {
            Matcher m = splitPathInfo.pattern().matcher(uri);
            if (m.find()) {
                script = m.group(1) == null ? "" : m.group(1);
            }
        }
        if (index != null && !script.isEmpty() && script.endsWith("/")) {
            return script + index;
        }
        return script;
    }

    /** $fastcgi_path_info: group 2 of fastcgi_split_path_info, or "". */
    public String pathInfo(String uri) {
        if (splitPathInfo != null) {
            Matcher m = splitPathInfo.pattern().matcher(uri);
            if (m.find() && m.group(2) != null) {
                return m.group(2);
            }
        }
        return "";
    }
}
