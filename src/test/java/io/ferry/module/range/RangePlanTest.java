package io.ferry.module.range;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.module.range.ByteRanges.Range;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RangePlanTest {
    private static String body(RangePlan plan, String content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RangePlan.Part p : plan.parts()) {
            out.writeBytes(p.header());
            out.writeBytes(content.substring((int) p.start(), (int) (p.start() + p.length())).getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes(plan.trailer());
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void multipartIsNginxsLayoutAndItsLengthCountsEveryByte() {
        RangePlan plan = RangePlan.multipart(List.of(new Range(0, 3), new Range(7, 10)), "00000000000000000001",
                "text/plain; charset=utf-8", 10);
        String body = body(plan, "0123456789");
        assertThat(body).isEqualTo("""
                \r
                --00000000000000000001\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Range: bytes 0-2/10\r
                \r
                012\r
                --00000000000000000001\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Range: bytes 7-9/10\r
                \r
                789\r
                --00000000000000000001--\r
                """);
        assertThat(plan.contentLength()).isEqualTo(body.length());
    }

    @Test
    void withoutAContentTypeThePartsHaveNone() {
        String body = body(RangePlan.multipart(List.of(new Range(0, 1), new Range(2, 3)), "7", null, 3), "abc");
        assertThat(body).startsWith("\r\n--7\r\nContent-Range: bytes 0-0/3\r\n\r\na");
    }

    @Test
    void aSingleRangeIsItsBytesAlone() {
        RangePlan plan = RangePlan.single(new Range(4, 6));
        assertThat(body(plan, "0123456789")).isEqualTo("45");
        assertThat(plan.contentLength()).isEqualTo(2);
    }
}
