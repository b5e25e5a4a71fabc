package io.ferry.variable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.model.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiling and rendering directive values with variables (nginx's ngx_http_script_compile rules). */
class TemplateTest {
    private final Variables variables = new Variables();
    private final FakeRequestScope scope = new FakeRequestScope();

    private String render(String text) {
        return Template.compile(text, variables).render(scope);
    }

    @Test
    void plainVariable() {
        assertThat(render("$remote_addr")).isEqualTo("192.0.2.7");
        assertThat(render("client=$remote_addr:$remote_port")).isEqualTo("client=192.0.2.7:51000");
        assertThat(render("$scheme://$host$request_uri")).isEqualTo("http://example.org/");
    }

    @Test
    void variableNameEndsAtTheFirstNonNameCharacter() {
        assertThat(render("$host.suffix")).isEqualTo("example.org.suffix");
        assertThat(render("$host-$server_port")).isEqualTo("example.org-8080");
        assertThat(render("$host/")).isEqualTo("example.org/");
    }

    @Test
    void bracedVariableAllowsTextDirectlyAfterIt() {
        assertThat(render("${host}text")).isEqualTo("example.orgtext");
        assertThat(render("pre${server_port}post")).isEqualTo("pre8080post");
    }

    @Test
    void withoutBracesTheFollowingLettersBelongToTheName() {
        assertThatThrownBy(() -> Template.compile("$hosttext", variables))
                .isInstanceOf(UnknownVariableException.class)
                .hasMessage("unknown \"hosttext\" variable");
    }

    @Test
    void textWithoutVariablesIsConstant() {
        Template t = Template.compile("plain text", variables);
        assertThat(t.isConstant()).isTrue();
        assertThat(t.render(scope)).isEqualTo("plain text");
        assertThat(t.text()).isEqualTo("plain text");

        Template empty = Template.compile("", variables);
        assertThat(empty.isConstant()).isTrue();
        assertThat(empty.render(scope)).isEmpty();

        assertThat(Template.compile("$host", variables).isConstant()).isFalse();
        assertThat(Template.literal("$host").render(scope)).as("literal() does not interpret $").isEqualTo("$host");
    }

    @Test
    void renderingIsLiveNotCachedAtCompileTime() {
        Template t = Template.compile("$uri", variables);
        scope.uri = "/a";
        assertThat(t.render(scope)).isEqualTo("/a");
        scope.uri = "/b";
        assertThat(t.render(scope)).isEqualTo("/b");
    }

    @Test
    void httpHeaderVariableLowerCasesAndMapsUnderscoreToDash() {
        scope.header("X-Real-IP", "203.0.113.9").header("User-Agent", "curl/8");

        assertThat(render("$http_x_real_ip")).isEqualTo("203.0.113.9");
        assertThat(render("$http_X_Real_IP")).isEqualTo("203.0.113.9");
        assertThat(render("[$http_user_agent]")).isEqualTo("[curl/8]");
        assertThat(render("[$http_x_missing]")).as("a missing header renders empty").isEqualTo("[]");
    }

    @Test
    void cookieVariable() {
        scope.header("Cookie", "theme=dark; sid=abc123; lang=en");

        assertThat(render("$cookie_sid")).isEqualTo("abc123");
        assertThat(render("$cookie_theme")).isEqualTo("dark");
        assertThat(render("$cookie_lang")).isEqualTo("en");
        assertThat(render("[$cookie_none]")).isEqualTo("[]");
        assertThat(render("[$cookie_id]")).as("no partial name match on sid").isEqualTo("[]");
    }

    /** ngx_http_parse_multi_header_lines compares the cookie name with ngx_strncasecmp. */
    @Test
    void cookieNameIsMatchedCaseInsensitively() {
        scope.header("Cookie", "SID=abc123");
        assertThat(render("$cookie_sid")).isEqualTo("abc123");
    }

    @Test
    void cookieVariableWithoutCookieHeaderIsEmpty() {
        assertThat(render("[$cookie_sid]")).isEqualTo("[]");
    }

    @Test
    void argVariableMatchesNameCaseInsensitivelyAndKeepsTheRawValue() {
        scope.args("User=bob&q=a%20b&empty=&last=1");

        assertThat(render("$arg_user")).isEqualTo("bob");
        assertThat(render("$arg_USER")).isEqualTo("bob");
        assertThat(render("$arg_q")).as("not decoded").isEqualTo("a%20b");
        assertThat(render("[$arg_empty]")).isEqualTo("[]");
        assertThat(render("$arg_last")).isEqualTo("1");
        assertThat(render("[$arg_missing]")).isEqualTo("[]");
        assertThat(render("[$arg_ser]")).as("whole names only").isEqualTo("[]");
    }

    @Test
    void aFamilyPrefixWithoutANameIsAKnownVariableThatIsAlwaysEmpty() {
        scope.args("=x&l=42");
        assertThat(render("[$arg_:$http_:$cookie_:$sent_http_:$upstream_http_]")).isEqualTo("[::::]");
    }

    @Test
    void argVariableWithoutQueryIsEmpty() {
        scope.args(null);
        assertThat(render("[$arg_user]")).isEqualTo("[]");
    }

    @Test
    void proxyAddXForwardedForWithoutIncomingHeaderIsRemoteAddr() {
        assertThat(render("$proxy_add_x_forwarded_for")).isEqualTo("192.0.2.7");
    }

    @Test
    void proxyAddXForwardedForAppendsRemoteAddrToIncomingHeader() {
        scope.header("X-Forwarded-For", "203.0.113.1, 198.51.100.2");
        assertThat(render("$proxy_add_x_forwarded_for")).isEqualTo("203.0.113.1, 198.51.100.2, 192.0.2.7");
    }

    @Test
    void isArgsAndArgs() {
        scope.uri = "/search";
        scope.args(null);
        assertThat(render("$uri$is_args$args")).isEqualTo("/search");

        scope.args("q=1&r=2");
        assertThat(render("$uri$is_args$args")).isEqualTo("/search?q=1&r=2");
        assertThat(render("$query_string")).isEqualTo("q=1&r=2");
    }

    /** nginx: $is_args is "?" only when the request has arguments; "/p?" has none (r->args.len == 0). */
    @Test
    void isArgsIsEmptyForAnEmptyQueryString() {
        scope.args("");
        assertThat(render("[$is_args]")).isEqualTo("[]");
    }

    @Test
    void otherBuiltInVariables() {
        scope.uri = "/a b";
        scope.requestUri = "/a%20b?x=1";
        scope.method = "POST";
        scope.header("Content-Length", "12").header("Content-Type", "text/plain");

        assertThat(render("$uri|$document_uri|$request_uri")).isEqualTo("/a b|/a b|/a%20b?x=1");
        assertThat(render("$request_method $server_protocol")).isEqualTo("POST HTTP/1.1");
        assertThat(render("$server_name $server_addr:$server_port")).isEqualTo("example.org 127.0.0.1:8080");
        assertThat(render("$content_length $content_type")).isEqualTo("12 text/plain");
        assertThat(render("$request_id")).isEqualTo("0123456789abcdef0123456789abcdef");
    }

    @Test
    void proxyVariablesDescribeTheLocationsProxyPass(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, """
                http { server { listen 8080;
                    location /p/ { proxy_pass http://127.0.0.1:9000; }
                    location /s/ { }
                } }
                """);
        List<Location> locations = ConfigLoader.load(dir, conf, null).config().http().servers().get(0).locations();

        scope.settings = locations.get(0).settings();
        assertThat(render("$proxy_host|$proxy_port")).isEqualTo("127.0.0.1:9000|9000");
        scope.settings = locations.get(1).settings();
        assertThat(render("$proxy_host|$proxy_port")).isEqualTo("|");
    }

    @Test
    void positionalCapturesAreSingleDigits() {
        Matcher m = Pattern.compile("^/(\\w+)/(\\w+)$").matcher("/cats/tom");
        assertThat(m.find()).isTrue();
        scope.captures(m.toMatchResult());

        assertThat(render("$2-$1")).isEqualTo("tom-cats");
        assertThat(render("$12")).as("$1 followed by the text 2").isEqualTo("cats2");
        assertThat(render("${2}x")).isEqualTo("tomx");
        assertThat(render("[$3]")).as("a group that does not exist renders empty").isEqualTo("[]");
    }

    @Test
    void unknownVariableIsReportedWithNginxMessage() {
        assertThatThrownBy(() -> Template.compile("x $foo y", variables))
                .isInstanceOf(UnknownVariableException.class)
                .hasMessage("unknown \"foo\" variable");
        assertThatThrownBy(() -> Template.compile("${foo}", variables))
                .isInstanceOf(UnknownVariableException.class)
                .hasMessage("unknown \"foo\" variable");
    }

    @Test
    void unterminatedBraceIsAnError() {
        assertThatThrownBy(() -> Template.compile("${host", variables))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the closing bracket in \"host\" variable is missing");
        assertThatThrownBy(() -> Template.compile("a${", variables))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("closing bracket");
    }

    /** ngx_http_script_compile stops the name at the first non-name character and then reports the open brace. */
    @Test
    void braceClosedOnlyAfterANonNameCharacterIsAnUnterminatedBrace() {
        assertThatThrownBy(() -> Template.compile("${host text}", variables))
                .hasMessage("the closing bracket in \"host\" variable is missing");
    }

    @Test
    void dollarWithoutNameIsAnError() {
        assertThatThrownBy(() -> Template.compile("cost: $", variables)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid variable name");
        assertThatThrownBy(() -> Template.compile("${}", variables)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid variable name");
    }

    @Test
    void definedVariablesTakePrecedenceAndAreKnown() {
        assertThat(variables.isDefined("mine")).isFalse();
        variables.define("mine", (Variable) s -> "value-" + s.host());
        assertThat(variables.isDefined("mine")).isTrue();
        assertThat(variables.isDefined("host")).isTrue();
        assertThat(render("$mine")).isEqualTo("value-example.org");
    }

    @Test
    void nullVariableValueRendersEmpty() {
        variables.define("nothing", s -> null);
        assertThat(render("[$nothing]")).isEqualTo("[]");
    }
}
