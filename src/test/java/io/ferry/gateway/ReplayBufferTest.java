package io.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The README's retry cap: only the first 64 KiB of a request body are kept for a retry. */
class ReplayBufferTest {

    private static HttpContent chunk(int size, char fill) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) fill);
        return new DefaultHttpContent(Unpooled.wrappedBuffer(bytes));
    }

    @Test
    void limitIs64KiB() {
        assertThat(ReplayBuffer.LIMIT).isEqualTo(65_536);
    }

    @Test
    void aBodyOfExactly64KiBIsKeptWholeWithoutMovingTheSendersIndexes() {
        ReplayBuffer replay = new ReplayBuffer();
        HttpContent first = chunk(40_000, 'a');
        HttpContent second = chunk(25_536, 'b');
        HttpContent last = new DefaultLastHttpContent();
        replay.offer(first);
        replay.offer(second);
        replay.offer(last);

        assertThat(replay.replayable()).isTrue();
        assertThat(replay.chunks()).hasSize(3);
        assertThat(replay.chunks().get(0).content().toString(StandardCharsets.US_ASCII)).isEqualTo("a".repeat(40_000));
        assertThat(replay.chunks().get(1).content().toString(StandardCharsets.US_ASCII)).isEqualTo("b".repeat(25_536));
        assertThat(first.content().readerIndex()).isZero();
        // The kept views hold their own reference: the sender may release its chunk and a retry still has the bytes.
        assertThat(first.refCnt()).isEqualTo(2);
        first.release();
        second.release();
        last.release();
        assertThat(replay.chunks().get(1).content().readableBytes()).isEqualTo(25_536);

        replay.release();
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        assertThat(replay.chunks()).isEmpty();
    }

    @Test
    void oneByteBeyond64KiBDropsWhatWasKeptAndEverythingAfter() {
        ReplayBuffer replay = new ReplayBuffer();
        HttpContent first = chunk(65_536, 'a');
        HttpContent over = chunk(1, 'b');
        HttpContent after = chunk(10, 'c');
        replay.offer(first);
        assertThat(replay.replayable()).isTrue();

        replay.offer(over);
        replay.offer(after);

        assertThat(replay.replayable()).isFalse();
        assertThat(replay.chunks()).isEmpty();
        assertThat(first.refCnt()).as("the kept view of the first chunk is released").isEqualTo(1);
        assertThat(over.refCnt()).isEqualTo(1);
        assertThat(after.refCnt()).isEqualTo(1);
        first.release();
        over.release();
        after.release();
    }
}
