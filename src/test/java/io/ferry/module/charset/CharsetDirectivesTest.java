package io.ferry.module.charset;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.model.Location;
import io.ferry.model.VirtualServer;
import io.ferry.testing.ConfigText;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The charset directives through the loader (defaults, inheritance, charset_map errors) and recoding chunk by chunk. */
class CharsetDirectivesTest {
    @TempDir
    Path dir;

    private CharsetSettings location(String http) throws Exception {
        VirtualServer vs = new ConfigText(dir).server(http);
        for (Location l : vs.locations()) {
            if (l.path().equals("/")) {
                return l.settings().module(CharsetModule.SETTINGS);
            }
        }
        throw new AssertionError("no location /");
    }

    private String error(String http) throws Exception {
        return new ConfigText(dir).httpErrorLine(http);
    }

    @Test
    void offByDefaultWithNginxsTypes() throws Exception {
        CharsetSettings s = location("server { listen 8080; location / { } }");
        assertThat(s.charset()).isNull();
        assertThat(s.source()).isNull();
        assertThat(s.override()).isFalse();
        assertThat(s.matches("text/html")).isTrue();
        assertThat(s.matches("application/javascript")).isTrue();
        assertThat(s.matches("image/png")).isFalse();
    }

    @Test
    void innerLevelsInheritAndMayTurnItOff() throws Exception {
        CharsetSettings s = location("charset utf-8; charset_types *; server { listen 8080; location / { source_charset koi8-r; } }");
        assertThat(s.charset().text()).isEqualTo("utf-8");
        assertThat(s.source().text()).isEqualTo("koi8-r");
        assertThat(s.matches("image/png")).isTrue();
        assertThat(location("charset utf-8; server { listen 8080; location / { charset off; } }").charset()).isNull();
    }

    @Test
    void charsetMapErrorsNameTheirLine() throws Exception {
        assertThat(error("charset_map a b {\n 5G 59;\n}")).isEqualTo("invalid value \"5G\":3");
        assertThat(error("charset_map a b {\n 58 5959;\n}")).isEqualTo("invalid value \"5959\":3");
        assertThat(error("charset_map utf-8 b {\n}")).startsWith("\"charset_map\" from \"utf-8\" is not supported");
        assertThat(error("charset_map a b { }\ncharset_map A B { }")).startsWith("duplicate \"charset_map\"");
        assertThat(error("server { charset_map a b { } }")).contains("is not allowed here");
    }

    @Test
    void javaRecoderWaitsForACharacterSplitBetweenChunks() {
        JavaRecoder r = new JavaRecoder(StandardCharsets.UTF_8, Charset.forName("KOI8-R"));
        byte[] utf8 = "Мир".getBytes(StandardCharsets.UTF_8);
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        ByteBuf first = r.filter(Unpooled.wrappedBuffer(utf8, 0, 3), alloc);
        ByteBuf rest = r.filter(Unpooled.wrappedBuffer(utf8, 3, utf8.length - 3), alloc);
        ByteBuf end = r.finish(alloc);
        ByteBuf all = Unpooled.wrappedBuffer(first, rest, end);
        assertThat(Charset.forName("KOI8-R").decode(ByteBuffer.wrap(io.netty.buffer.ByteBufUtil.getBytes(all))).toString())
                .isEqualTo("Мир");
        all.release();
    }
}
