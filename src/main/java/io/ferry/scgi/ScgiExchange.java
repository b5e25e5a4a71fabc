package io.ferry.scgi;

import io.ferry.cache.HttpCache;
import io.ferry.gateway.CgiRequest;
import io.ferry.gateway.GatewayExchange;
import io.ferry.gateway.GatewaySettings;
import io.ferry.http.Exchange;
import io.ferry.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * scgi_pass: the headers as one netstring ("LENGTH:" NAME NUL VALUE NUL ... ","), CONTENT_LENGTH
 * first as the SCGI specification requires and nginx sends it, then the body.
 */
final class ScgiExchange extends GatewayExchange {
    ScgiExchange(Exchange ex, GatewaySettings settings, UpstreamGroup group) {
        super(ex, settings, group, HttpCache.Protocol.SCGI);
    }

    @Override
    protected ByteBuf encode(ByteBufAllocator alloc, List<CgiRequest.Pair> params, long bodyLength) {
        return netstring(alloc, params, bodyLength);
    }

    static ByteBuf netstring(ByteBufAllocator alloc, List<CgiRequest.Pair> params, long bodyLength) {
        byte[] length = Long.toString(bodyLength).getBytes(StandardCharsets.US_ASCII);
        int size = "CONTENT_LENGTH".length() + 2 + length.length;
        for (CgiRequest.Pair p : params) {
            size += p.nameBytes().length + p.value().length + 2;
        }
        byte[] prefix = (size + ":").getBytes(StandardCharsets.US_ASCII);
        ByteBuf out = alloc.buffer(prefix.length + size + 1);
        out.writeBytes(prefix);
        out.writeCharSequence("CONTENT_LENGTH", StandardCharsets.US_ASCII);
        out.writeByte(0);
        out.writeBytes(length);
        out.writeByte(0);
        for (CgiRequest.Pair p : params) {
            out.writeBytes(p.nameBytes());
            out.writeByte(0);
            out.writeBytes(p.value());
            out.writeByte(0);
        }
        out.writeByte(',');
        return out;
    }
}
