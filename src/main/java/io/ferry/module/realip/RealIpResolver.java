package io.ferry.module.realip;

import io.ferry.module.access.IpLiteral;
import io.ferry.module.access.AccessRule;
import io.ferry.proxyprotocol.ProxyHeader;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * nginx's realip module: only a connection from a trusted proxy may name the client, through
 * real_ip_header; with X-Forwarded-For the rightmost address is taken, or with real_ip_recursive
 * the rightmost one that is not itself a trusted proxy. Several X-Forwarded-For lines are one list,
 * in order.
 */
public final class RealIpResolver {
    private RealIpResolver() {
    }

    /** The client the header names, or null when it names none (the peer stays the client). */
    static String resolve(RealIp realIp, SocketAddress peer, HttpRequest request) {
        if (!trustedPeer(realIp, peer)) {
            return null;
        }
        String header = realIp.header().equalsIgnoreCase("X-Forwarded-For")
                ? String.join(",", request.headers().getAll(realIp.header()))
                : request.headers().get(realIp.header());
        if (header == null || header.isBlank()) {
            return null;
        }
        String[] hops = header.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = literal(hops[i].trim());
            if (hop == null) {
                return null;
            }
            if (!realIp.recursive() || i == 0 || !trusted(realIp.trusted(), hop)) {
                return NetUtil.toAddressString(hop);
            }
        }
        return null;
    }

    /**
     * real_ip_header proxy_protocol: the client's address and port from the connection's PROXY
     * protocol header, or null without one or from a peer not trusted.
     */
    static InetSocketAddress fromProxyProtocol(RealIp realIp, SocketAddress peer, ProxyHeader header) {
        return fromProxyProtocol(realIp.trusted(), peer, header);
    }

    /** The client a trusted peer's PROXY protocol header names (http's and stream's realip), else null. */
    public static InetSocketAddress fromProxyProtocol(List<AccessRule> trusted, SocketAddress peer, ProxyHeader header) {
        if (header == null || !(peer instanceof InetSocketAddress inet) || trusted.isEmpty() || !trusted(trusted, inet.getAddress())) {
            return null;
        }
        InetAddress client = literal(header.srcAddr());
        return client == null ? null : new InetSocketAddress(client, header.srcPort());
    }

    private static boolean trustedPeer(RealIp realIp, SocketAddress peer) {
        return peer instanceof InetSocketAddress inet && !realIp.trusted().isEmpty()
                && trusted(realIp.trusted(), inet.getAddress());
    }

    private static boolean trusted(List<AccessRule> rules, InetAddress a) {
        for (AccessRule r : rules) {
            if (r.matches(a)) {
                return true;
            }
        }
        return false;
    }

    /** Only numeric addresses count; a name in the header is ignored (never resolved). */
    private static InetAddress literal(String text) {
        return IpLiteral.parse(text);
    }
}
