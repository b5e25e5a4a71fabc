package io.ferry.conf.directive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.conf.ConfException;
import io.ferry.proxy.ProxyModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration errors in nginx's words, each with the file:line nginx names ("DETAIL in FILE:LINE").
 * Line numbers in the texts below are counted from 1 at the first line of the text block.
 */
class DirectiveErrorsTest {
    @TempDir
    Path dir;

    private Path conf;

    private Path write(String text) throws IOException {
        conf = dir.resolve("ferry.conf");
        Files.writeString(conf, text);
        return conf;
    }

    private ConfException error(String text) throws IOException {
        Path file = write(text);
        return error(file, null);
    }

    private ConfException error(Path file, String globals) {
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfigLoader.load(dir, file, globals));
        assertThat(e).as("expected a configuration error").isNotNull();
        return e;
    }

    /** The message nginx prints for an error at {@code line} of the main file. */
    private String at(String detail, int line) {
        return detail + " in " + conf + ":" + line;
    }

    // ---- table checks (Validator) ----------------------------------------------------------------

    @Test
    void unknownDirective() throws Exception {
        ConfException e = error("""
                http {
                    server {
                        listen 8080;
                        proxy_pas http://127.0.0.1:9000;
                    }
                }
                """);

        assertThat(e.getMessage()).isEqualTo(at("unknown directive \"proxy_pas\"", 4));
        assertThat(e.detail()).isEqualTo("unknown directive \"proxy_pas\"");
        assertThat(e.file()).isEqualTo(conf.toString());
        assertThat(e.line()).isEqualTo(4);
    }

    @Test
    void unknownDirectiveInsideAnIncludedFileNamesThatFile() throws Exception {
        Path included = dir.resolve("site.conf");
        Files.writeString(included, "listen 8080;\n\nbogus on;\n");
        ConfException e = error("""
                http {
                    server {
                        include site.conf;
                    }
                }
                """);

        assertThat(e.getMessage()).isEqualTo("unknown directive \"bogus\" in " + included + ":3");
    }

    @Test
    void directiveNotAllowedHere() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        proxy_pass http://127.0.0.1:9000;
                    }
                }
                """).getMessage()).isEqualTo(at("\"proxy_pass\" directive is not allowed here", 4));

        assertThat(error("""
                worker_processes 1;
                server {
                }
                """).getMessage()).isEqualTo(at("\"server\" directive is not allowed here", 2));

        assertThat(error("""
                http {
                    listen 80;
                }
                """).getMessage()).isEqualTo(at("\"listen\" directive is not allowed here", 2));
    }

    @Test
    void invalidNumberOfArguments() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location / {
                            proxy_set_header Host;
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("invalid number of arguments in \"proxy_set_header\" directive", 5));

        assertThat(error("""
                worker_processes 1 2;
                """).getMessage()).isEqualTo(at("invalid number of arguments in \"worker_processes\" directive", 1));

        assertThat(error("""
                http {
                    server {
                        listen;
                    }
                }
                """).getMessage()).isEqualTo(at("invalid number of arguments in \"listen\" directive", 3));
    }

    @Test
    void duplicateDirectiveIsReportedAtTheSecondOne() throws Exception {
        ConfException e = error("""
                http {
                    server {
                        listen 8080;
                        root /srv/a;
                        root /srv/b;
                    }
                }
                """);

        assertThat(e.getMessage()).isEqualTo(at("\"root\" directive is duplicate", 5));
    }

    @Test
    void sameDirectiveAtDifferentLevelsIsNotDuplicate() throws Exception {
        write("""
                http {
                    root /srv/http;
                    server {
                        listen 8080;
                        root /srv/server;
                        location / {
                            root /srv/location;
                        }
                    }
                }
                """);

        assertThat(ConfigLoader.load(dir, conf, null).config().http().servers()).hasSize(1);
    }

    @Test
    void blockDirectiveWithoutBlock() throws Exception {
        assertThat(error("""
                http {
                    server;
                }
                """).getMessage()).isEqualTo(at("directive \"server\" has no opening \"{\"", 2));
    }

    @Test
    void simpleDirectiveWithBlock() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        root /srv {
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("directive \"root\" is not terminated by \";\"", 4));
    }

    // ---- values ------------------------------------------------------------------------------------

    private static final String BAD_KEEPALIVE = """
            http {
                server {
                    listen 8080;
                    keepalive_timeout abc;
                }
            }
            """;


    /**
     * nginx's ngx_http_core_keepalive (and ngx_conf_set_msec_slot / size_slot / num_slot) return the
     * string "invalid value", which ngx_conf_handler prints as "\"%s\" directive %s".
     */
    @Test
    void invalidTimeValueUsesNginxWording() throws Exception {
        assertThat(error(BAD_KEEPALIVE).getMessage()).isEqualTo(at("\"keepalive_timeout\" directive invalid value", 4));
    }

    @Test
    void invalidFlag() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        sendfile maybe;
                    }
                }
                """).getMessage())
                .isEqualTo(at("invalid value \"maybe\" in \"sendfile\" directive, it must be \"on\" or \"off\"", 4));

        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location / {
                            tcp_nodelay 1;
                        }
                    }
                }
                """).getMessage())
                .isEqualTo(at("invalid value \"1\" in \"tcp_nodelay\" directive, it must be \"on\" or \"off\"", 5));

        assertThat(error("""
                daemon yes;
                """).getMessage())
                .isEqualTo(at("invalid value \"yes\" in \"daemon\" directive, it must be \"on\" or \"off\"", 1));
    }

    /** nginx checks a flag where it is written, whatever the level. */
    @Test
    void invalidFlagAtHttpLevel() throws Exception {
        assertThat(error("""
                http {
                    sendfile maybe;
                    server {
                        listen 8080;
                    }
                }
                """).getMessage())
                .isEqualTo(at("invalid value \"maybe\" in \"sendfile\" directive, it must be \"on\" or \"off\"", 2));
    }

    /** A module's value written at http level is checked where it is written, even with no server to inherit it. */
    @Test
    void invalidModuleValueAtHttpLevelWithoutServers() throws Exception {
        for (String line : new String[] {"gzip maybe;", "proxy_websocket maybe;", "real_ip_recursive maybe;"}) {
            String name = line.substring(0, line.indexOf(' '));
            assertThat(error("http {\n    " + line + "\n}\n").getMessage())
                    .isEqualTo(at("invalid value \"maybe\" in \"" + name + "\" directive, it must be \"on\" or \"off\"", 2));
        }
    }

    @Test
    void invalidPortInListen() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 70000;
                    }
                }
                """).getMessage()).isEqualTo(at("invalid port in \"70000\" of the \"listen\" directive", 3));
    }

    @Test
    void invalidListenParameter() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080 fast;
                    }
                }
                """).getMessage()).isEqualTo(at("invalid parameter \"fast\"", 3));
    }

    // ---- tls and sockets ---------------------------------------------------------------------------

    private static final String SSL_WITHOUT_CERT = """
            http {
                server {
                    server_name a.test;

                    listen 8443 ssl;
                }
            }
            """;


    /** ngx_http_ssl_init logs cscf->file_name:cscf->line, set by ngx_http_core_create_srv_conf at "server {". */
    @Test
    void listenSslWithoutCertificateNamesTheServerLine() throws Exception {
        assertThat(error(SSL_WITHOUT_CERT).getMessage())
                .isEqualTo(at("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive", 2));
    }

    @Test
    void certificateWithoutKey() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8443 ssl;
                        ssl_certificate cert.pem;
                    }
                }
                """).getMessage()).isEqualTo(at("no \"ssl_certificate_key\" is defined for certificate \"cert.pem\"", 2));
    }

    @Test
    void duplicateDefaultServer() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 127.0.0.1:8080 default_server;
                    }
                    server {
                        listen 127.0.0.1:8080 default_server;
                    }
                }
                """).getMessage()).isEqualTo(at("a duplicate default server for 127.0.0.1:8080", 6));
    }

    @Test
    void defaultServerOnDifferentAddressesIsNotDuplicate() throws Exception {
        write("""
                http {
                    server { listen 127.0.0.1:8080 default_server; }
                    server { listen 127.0.0.2:8080 default_server; }
                    server { listen 8081 default_server; }
                }
                """);

        assertThat(ConfigLoader.load(dir, conf, null).config().http().servers()).hasSize(3);
    }

    /** nginx names the socket by ngx_sock_ntop: "listen 8080" and "listen *:8080" are both 0.0.0.0:8080. */
    @Test
    void duplicateDefaultServerOnWildcardAddressNamesItLikeNginx() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080 default_server;
                    }
                    server {
                        listen *:8080 default_server;
                    }
                }
                """).getMessage()).isEqualTo(at("a duplicate default server for 0.0.0.0:8080", 6));
    }

    // ---- proxy_pass --------------------------------------------------------------------------------

    @Test
    void hostNotFoundInUpstream() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location / {
                            proxy_pass http://nosuchhost.invalid;
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("host not found in upstream \"nosuchhost.invalid\"", 5));
    }

    private static final String URI_NOT_ALLOWED = "\"proxy_pass\" cannot have URI part in location given by regular expression, "
            + "or inside named location, or inside \"if\" statement, or inside \"limit_except\" block";

    @Test
    void proxyPassWithUriInRegexLocation() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location ~ ^/api/ {
                            proxy_pass http://127.0.0.1:9000/v1/;
                        }
                    }
                }
                """).getMessage()).isEqualTo(at(URI_NOT_ALLOWED, 5));
    }

    @Test
    void proxyPassWithUriInNamedLocation() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location @backend {
                            proxy_pass http://127.0.0.1:9000/;
                        }
                    }
                }
                """).getMessage()).isEqualTo(at(URI_NOT_ALLOWED, 5));
    }

    @Test
    void proxyPassWithoutUriInRegexLocationIsFine() throws Exception {
        write("""
                http {
                    server {
                        listen 8080;
                        location ~* \\.php$ {
                            proxy_pass http://127.0.0.1:9000;
                        }
                    }
                }
                """);

        assertThat(ConfigLoader.load(dir, conf, null).config().http().servers().get(0).locations().get(0)
                .settings().module(ProxyModule.SETTINGS).target().uri()).isNull();
    }

    @Test
    void invalidUrlPrefix() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location / {
                            proxy_pass ftp://127.0.0.1;
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("invalid URL prefix in \"ftp://127.0.0.1\"", 5));

        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location / {
                            proxy_pass 127.0.0.1:9000;
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("invalid URL prefix in \"127.0.0.1:9000\"", 5));
    }

    @Test
    void unknownVariableInProxySetHeader() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location / {
                            proxy_pass http://127.0.0.1:9000;

                            proxy_set_header X-Thing $nope;
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("unknown \"nope\" variable", 7));
    }

    @Test
    void unknownVariableInInheritedProxySetHeaderIsReportedAtItsOwnLine() throws Exception {
        assertThat(error("""
                http {
                    proxy_set_header X-Thing $nope;
                    server {
                        listen 8080;
                        location / {
                            proxy_pass http://127.0.0.1:9000;
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("unknown \"nope\" variable", 2));
    }

    /**
     * nginx registers every variable a directive names while parsing and fails at the end
     * (ngx_http_variables_init_vars) whether or not the directive is ever used.
     */
    @Test
    void unknownVariableInProxySetHeaderIsAnErrorEvenWithoutProxyPass() throws Exception {
        ConfException e = error("""
                http {
                    server {
                        listen 8080;
                        location / {
                            proxy_set_header X-Thing $nope;
                            return 204;
                        }
                    }
                }
                """);

        assertThat(e.detail()).isEqualTo("unknown \"nope\" variable");
    }

    /** nginx: "Named captures ... can later be used as variables" (server_names page). */
    @Test
    void namedCaptureOfServerNameIsAVariable() throws Exception {
        write("""
                http {
                    server {
                        listen 8080;
                        server_name ~^(?<user>.+)\\.example\\.net$;
                        location / {
                            proxy_pass http://127.0.0.1:9000;
                            proxy_set_header X-User $user;
                        }
                    }
                }
                """);

        assertThat(ConfigLoader.load(dir, conf, null).config().http().servers()).hasSize(1);
    }

    // ---- location nesting --------------------------------------------------------------------------

    @Test
    void nestedPrefixOutsideItsParent() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location /a/ {
                            location /b/ {
                            }
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("location \"/b/\" is outside location \"/a/\"", 5));
    }

    @Test
    void nestedExactOutsideItsParent() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location /a/ {
                            location = /b {
                            }
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("location \"/b\" is outside location \"/a/\"", 5));
    }

    @Test
    void nestedRegexNeedNotStartWithTheParentPrefix() throws Exception {
        write("""
                http {
                    server {
                        listen 8080;
                        location /a/ {
                            location ~ \\.php$ { }
                            location /a/b/ { }
                        }
                    }
                }
                """);

        assertThat(ConfigLoader.load(dir, conf, null).config().http().servers().get(0).locations().get(0).nested())
                .hasSize(2);
    }

    @Test
    void nothingNestsInsideAnExactLocation() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location = /a {
                            location /a/b {
                            }
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("location \"/a/b\" cannot be inside the exact location \"/a\"", 5));
    }

    @Test
    void nothingNestsInsideANamedLocation() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location @named {
                            location /x {
                            }
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("location \"/x\" cannot be inside the named location \"@named\"", 5));
    }

    @Test
    void namedLocationOnlyAtServerLevel() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location / {
                            location @inner {
                            }
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("named location \"@inner\" can be on the server level only", 5));
    }

    @Test
    void invalidLocationModifier() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location ~~ /x {
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("invalid location modifier \"~~\"", 4));
    }

    /**
     * ngx_http_core_location skips the prefix check only when the nested location is a regex: a
     * plain prefix inside a regex location must start with the regex text, so "/api/v1" inside
     * "~ ^/api" is outside it.
     */
    @Test
    void prefixInsideRegexLocationIsOutsideIt() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location ~ ^/api {
                            location /api/v1 {
                            }
                        }
                    }
                }
                """).getMessage()).isEqualTo(at("location \"/api/v1\" is outside location \"^/api\"", 5));
    }

    /** ngx_http_join_exact_locations: two prefix (or two exact) locations with the same name. */
    @Test
    void duplicateLocation() throws Exception {
        assertThat(error("""
                http {
                    server {
                        listen 8080;
                        location /a { }
                        location ^~ /a { }
                    }
                }
                """).getMessage()).isEqualTo(at("duplicate location \"/a\"", 5));
    }

    // ---- -g directives -----------------------------------------------------------------------------

    @Test
    void errorInGlobalDirectivesNamesTheCommandLine() throws Exception {
        Path file = write("http {\n}\n");
        ConfException e = error(file, "bogus on;");

        assertThat(e.getMessage()).isEqualTo("unknown directive \"bogus\" in command line:1");
    }

    /**
     * nginx applies -g (ngx_conf_param) before it parses the file, so "-g 'daemon off;'" with
     * "daemon off;" in the file fails at the file's line: the well-known
     * '"daemon" directive is duplicate in /etc/nginx/nginx.conf:N'.
     */
    @Test
    void duplicateBetweenGlobalsAndFileIsReportedInTheFile() throws Exception {
        Path file = write("""
                worker_processes 1;
                daemon off;
                http {
                }
                """);
        ConfException e = error(file, "daemon off;");

        assertThat(e.getMessage()).isEqualTo(at("\"daemon\" directive is duplicate", 2));
    }
}
