package io.ferry.uwsgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.gateway.CgiRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The uwsgi packet header and variables as uWSGI reads them. */
class UwsgiPacketTest {
    @Test
    void modifiersFrameALittleEndianSizeAndEachVariableHasItsLengths() {
        ByteBuf packet = UwsgiExchange.packet(ByteBufAllocator.DEFAULT,
                List.of(CgiRequest.Pair.utf8("A", "bc"), CgiRequest.Pair.latin1("HTTP_X", "")), 5, 7);
        try {
            assertThat(ByteBufUtil.hexDump(packet)).isEqualTo(
                    "05" + "1100" + "07" + "0100" + "41" + "0200" + "6263" + "0600" + "485454505f58" + "0000");
        } finally {
            packet.release();
        }
    }

    @Test
    void variablesBeyondSixtyFourKiBAreRefused() {
        List<CgiRequest.Pair> big = List.of(CgiRequest.Pair.latin1("HTTP_COOKIE", "c".repeat(70_000)));
        assertThatThrownBy(() -> UwsgiExchange.packet(ByteBufAllocator.DEFAULT, big, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uwsgi request is too big");
    }
}
