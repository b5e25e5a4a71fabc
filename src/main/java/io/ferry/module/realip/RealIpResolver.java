package io.ferry.module.realip;

import io.ferry.module.access.IpLiteral;
import io.ferry.module.access.AccessRule;
import io.netty.handler.codec.http.HttpRequest;
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
final class RealIpResolver {
    private RealIpResolver() {
    }

    /** The client the header names, or null when it names none (the peer stays the client). */
    static String resolve(RealIp realIp, SocketAddress peer, HttpRequest request) {
        if (!(peer instanceof InetSocketAddress inet)) {
            return null;
        }
        if (realIp.trusted().isEmpty() || !trusted(realIp.trusted(), inet.getAddress())) {
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
                return hop.getHostAddress();
            }
        }
        return null;
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
