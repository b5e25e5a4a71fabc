package io.ferry.http.body;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory up to client_body_buffer_size, then a temporary file; what a reader and the variables see; cleanup. */
class SpooledBodyTest {
    @TempDir
    Path dir;

    private BodySettings settings(long size, BodySettings.InFileOnly only, boolean single, Integer... levels) {
        return new BodySettings(size, dir.resolve("client_body_temp"), List.of(levels), only, single);
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** Everything a reader hands out, checking that the end comes last and once. */
    private static String readAll(SpooledBody body) {
        SpooledBody.Reader r = body.reader();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpContent c;
        boolean ended = false;
        while ((c = r.next(ByteBufAllocator.DEFAULT)) != null) {
            assertThat(ended).isFalse();
            byte[] b = new byte[c.content().readableBytes()];
            c.content().readBytes(b);
            out.writeBytes(b);
            ended = c instanceof LastHttpContent;
            c.release();
        }
        assertThat(ended).isTrue();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void smallBodyStaysInMemory() throws Exception {
        SpooledBody body = SpooledBody.buffered(settings(16, BodySettings.InFileOnly.OFF, false));
        body.add(text("0123"));
        body.add(text("4567"));
        body.end();
        assertThat(body.file()).isNull();
        assertThat(body.text()).isEqualTo("01234567");
        assertThat(body.whole()).isTrue();
        assertThat(readAll(body)).isEqualTo("01234567");
        assertThat(readAll(body)).as("a retry reads it again").isEqualTo("01234567");
        body.release();
    }

    @Test
    void longerBodyMovesToAFileThatGoesWithTheExchange() throws Exception {
        SpooledBody body = SpooledBody.buffered(settings(8, BodySettings.InFileOnly.OFF, false, 1, 2));
        String expected = "0123456789".repeat(20_000);
        for (int i = 0; i < expected.length(); i += 1000) {
            body.add(text(expected.substring(i, i + 1000)));
        }
        body.end();
        Path file = body.file();
        assertThat(file).exists();
        String name = file.getFileName().toString();
        assertThat(name).hasSize(10);
        assertThat(file.getParent().getFileName().toString()).isEqualTo(name.substring(7, 9));
        assertThat(file.getParent().getParent().getFileName().toString()).isEqualTo(name.substring(9));
        assertThat(body.text()).as("$request_body is empty for a body in a file").isNull();
        assertThat(readAll(body)).isEqualTo(expected);
        body.release();
        assertThat(file).doesNotExist();
    }

    @Test
    void inFileOnlyKeepsTheFileAndCleanDeletesIt() throws Exception {
        SpooledBody on = SpooledBody.buffered(settings(1024, BodySettings.InFileOnly.ON, false));
        on.add(text("abc"));
        on.end();
        assertThat(Files.readString(on.file())).isEqualTo("abc");
        on.release();
        assertThat(on.file()).exists();
        SpooledBody clean = SpooledBody.buffered(settings(1024, BodySettings.InFileOnly.CLEAN, false));
        clean.end();
        assertThat(clean.file()).as("even an empty body gets its file").exists();
        clean.release();
        assertThat(clean.file()).doesNotExist();
    }

    @Test
    void singleBufferJoinsTheMemoryBody() throws Exception {
        SpooledBody body = SpooledBody.buffered(settings(1024, BodySettings.InFileOnly.OFF, true));
        body.add(text("ab"));
        body.add(text("cd"));
        body.end();
        SpooledBody.Reader r = body.reader();
        HttpContent first = r.next(ByteBufAllocator.DEFAULT);
        assertThat(first).isInstanceOf(LastHttpContent.class);
        assertThat(first.content().toString(StandardCharsets.UTF_8)).isEqualTo("abcd");
        first.release();
        body.release();
    }

    @Test
    void aStreamedCopyIsDroppedOnceItOutgrowsTheBuffer() throws Exception {
        SpooledBody kept = SpooledBody.kept(settings(4, BodySettings.InFileOnly.OFF, false));
        kept.add(text("abc"));
        assertThat(kept.replayable()).isTrue();
        kept.add(text("de"));
        kept.end();
        assertThat(kept.replayable()).isFalse();
        assertThat(kept.whole()).isFalse();
        assertThat(kept.text()).isNull();
        assertThat(kept.file()).isNull();
        assertThat(kept.size()).isEqualTo(5);
        kept.release();
    }
}
