package io.ferry.http;

import io.ferry.http.conn.ConnectionStates;

import io.ferry.testing.ErrorLogLines;

import io.ferry.http.hook.AccessHandler;
import io.ferry.http.hook.HeaderFilter;
import io.ferry.http.hook.PostReadHandler;
import io.ferry.http.hook.PreAccessHandler;
import io.ferry.http.hook.RewriteHandler;
import io.ferry.http.hook.ContentHandler;
import io.ferry.http.hook.ContentHandlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.net.TrafficCounter;
import io.ferry.model.LocationSettings;
import io.ferry.model.VirtualServer;
import io.ferry.route.ServerSelector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The access phase with two checks besides allow/deny (Ferry has one access module so far, so these
 * stand in for auth_basic and auth_request): nginx's ngx_http_core_access_phase and post_access
 * phase under "satisfy all" and "satisfy any". Each check answers what its request header says.
 */
class SatisfyTest {
    @TempDir
    Path dir;
    ServerSelector sites;
    ErrorLogLines log;
    List<String> errors;

    @BeforeEach
    void load() throws Exception {
        Path conf = dir.resolve("ferry.conf");
        Files.writeString(conf, """
                http {
                    satisfy any;
                    server {
                        listen 8080;
                        location /all { satisfy all; }
                        location /any { }
                    }
                }
                """);
        VirtualServer vs = ConfigLoader.load(dir, conf, null).config().http().servers().get(0);
        sites = new ServerSelector(List.of(vs), vs);
        log = ErrorLogLines.capture();
        errors = log.lines();
    }

    @AfterEach
    void detach() {
        log.close();
    }

    /** A check that answers the status in its header (OK, DECLINED or a number); no header declines. */
    private static AccessHandler check(String header) {
        return ex -> {
            String v = ex.request().headers().get(header);
            return v == null || v.equals("DECLINED") ? AccessHandler.DECLINED
                    : v.equals("OK") ? AccessHandler.OK : Integer.parseInt(v);
        };
    }

    private final ContentHandlers handlers = new ContentHandlers() {
        @Override
        public ContentHandler forLocation(LocationSettings settings) {
            return ex -> ex.sendFull(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("through", StandardCharsets.US_ASCII)), false);
        }

        @Override
        public List<HeaderFilter> headerFilters() {
            return List.of();
        }

        @Override
        public List<PostReadHandler> postReadHandlers() {
            return List.of();
        }

        @Override
        public List<PreAccessHandler> preAccessHandlers() {
            return List.of();
        }

        @Override
        public List<RewriteHandler> rewriteHandlers() {
            return List.of();
        }

        @Override
        public List<AccessHandler> accessHandlers() {
            return List.of(check("x-first"), check("x-second"));
        }
    };

    private String statusLine(String uri, String first, String second) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new TrafficCounter(), new ServerCodec(new HttpDecoderConfig(), 8192, io.ferry.http.conn.ConnectionSettings.DEFAULT), new ResponseFilter(),
                new ChunkedWriteHandler(), new HttpConnectionHandler(() -> sites, handlers, ex -> { }, new ConnectionStates(), false));
        ch.pipeline().fireChannelActive();
        String request = "GET " + uri + " HTTP/1.1\r\nHost: a\r\nx-first: " + first + "\r\nx-second: " + second + "\r\n\r\n";
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        ch.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            if (o instanceof ByteBuf b) {
                out.append(b.toString(StandardCharsets.US_ASCII));
                b.release();
            }
        }
        ch.finishAndReleaseAll();
        return out.substring(0, out.indexOf("\r\n"));
    }

    @ParameterizedTest(name = "satisfy all: {0}, {1} -> {2}")
    @CsvSource({
            "OK,       OK,       200",
            "DECLINED, DECLINED, 200",
            "OK,       403,      403",
            "403,      OK,       403",
            "401,      403,      401",
            "DECLINED, 401,      401",
    })
    void allEndsTheRequestAtTheFirstRefusal(String first, String second, int status) {
        assertThat(statusLine("/all", first, second)).startsWith("HTTP/1.1 " + status + " ");
        // under "all" the refusing check writes its own line: the phase writes none
        assertThat(errors).noneMatch(l -> l.contains("access forbidden by rule"));
    }

    @ParameterizedTest(name = "satisfy any: {0}, {1} -> {2}")
    @CsvSource({
            "403,      OK,       200, 0",
            "OK,       403,      200, 0",
            "401,      OK,       200, 0",
            "DECLINED, DECLINED, 200, 0",
            "403,      403,      403, 1",
            "DECLINED, 403,      403, 1",
            "401,      403,      401, 0",
            "403,      401,      401, 0",
            "500,      OK,       500, 0",
    })
    void anyLetsTheFirstAllowThroughElseRefusesWithTheChecksStatus(String first, String second, int status, int logged) {
        assertThat(statusLine("/any", first, second)).startsWith("HTTP/1.1 " + status + " ");
        assertThat(errors.stream().filter(l -> l.contains("access forbidden by rule, client: ")
                && l.contains("request: \"GET /any HTTP/1.1\""))).hasSize(logged);
    }
}
