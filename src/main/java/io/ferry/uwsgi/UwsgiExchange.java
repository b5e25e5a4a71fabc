package io.ferry.uwsgi;

import io.ferry.cache.HttpCache;
import io.ferry.gateway.CgiRequest;
import io.ferry.gateway.GatewayExchange;
import io.ferry.http.Exchange;
import io.ferry.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * uwsgi_pass: the uwsgi packet (modifier1, a little-endian 16-bit size, modifier2, then each
 * variable's name and value, each behind its little-endian 16-bit length), then the body.
 */
final class UwsgiExchange extends GatewayExchange {
    static final int MAX_PACKET = 0xffff;

    private final UwsgiSettings settings;

    UwsgiExchange(Exchange ex, UwsgiSettings settings, UpstreamGroup group) {
        super(ex, settings.gateway(), group, HttpCache.Protocol.UWSGI);
        this.settings = settings;
    }

    @Override
    protected ByteBuf encode(ByteBufAllocator alloc, List<CgiRequest.Pair> params, long bodyLength) {
        return packet(alloc, params, settings.modifier1(), settings.modifier2());
    }

    static ByteBuf packet(ByteBufAllocator alloc, List<CgiRequest.Pair> params, int modifier1, int modifier2) {
        int size = 0;
        for (CgiRequest.Pair p : params) {
            size += 4 + p.nameBytes().length + p.value().length;
        }
        if (size > MAX_PACKET) {
            throw new IllegalArgumentException("uwsgi request is too big: " + size);
        }
        ByteBuf out = alloc.buffer(4 + size);
        out.writeByte(modifier1);
        out.writeShortLE(size);
        out.writeByte(modifier2);
        for (CgiRequest.Pair p : params) {
            byte[] name = p.nameBytes();
            out.writeShortLE(name.length);
            out.writeBytes(name);
            out.writeShortLE(p.value().length);
            out.writeBytes(p.value());
        }
        return out;
    }
}
