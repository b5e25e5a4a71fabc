package io.ferry.module.geo;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.module.access.IpLiteral;
import org.junit.jupiter.api.Test;

/** The lookup structures of geo: longest network in IPv4 and IPv6, and nginx's range bookkeeping. */
class GeoTablesTest {
    private static byte[] ip(String text) {
        return IpLiteral.parse(text).getAddress();
    }

    private static Cidr cidr(String text, int bits) {
        return new Cidr(ip(text), bits);
    }

    private static long v4(String text) {
        byte[] b = ip(text);
        return (b[0] & 0xffL) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }

    @Test
    void theLongestNetworkHoldingTheAddressWins() {
        Networks<String> n = new Networks<>();
        n.insert(cidr("0.0.0.0", 0), "world");
        n.insert(cidr("10.0.0.0", 8), "ten");
        n.insert(cidr("10.1.0.0", 16), "ten-one");
        n.insert(cidr("10.1.2.3", 32), "host");
        n.insert(cidr("2001:db8::", 32), "doc");
        assertThat(n.find(ip("10.1.2.3"))).isEqualTo("host");
        assertThat(n.find(ip("10.1.2.4"))).isEqualTo("ten-one");
        assertThat(n.find(ip("10.2.0.1"))).isEqualTo("ten");
        assertThat(n.find(ip("192.0.2.1"))).isEqualTo("world");
        assertThat(n.find(ip("2001:db8::1"))).isEqualTo("doc");
        assertThat(n.find(ip("2001:db9::1"))).isNull();
        // an IPv4-mapped IPv6 address is an IPv4 one
        assertThat(n.find(ip("::ffff:10.1.2.3"))).isEqualTo("host");
    }

    @Test
    void aNetworkIsInsertedOnceAndDeletedExactly() {
        Networks<String> n = new Networks<>();
        assertThat(n.insert(cidr("192.0.2.0", 24), "a")).isTrue();
        assertThat(n.insert(cidr("192.0.2.0", 24), "b")).isFalse();
        assertThat(n.get(cidr("192.0.2.0", 24))).isEqualTo("a");
        assertThat(n.delete(cidr("192.0.2.0", 25))).isFalse();
        assertThat(n.delete(cidr("192.0.2.0", 24))).isTrue();
        assertThat(n.find(ip("192.0.2.1"))).isNull();
    }

    @Test
    void aRangeInsideAnotherTakesOverItsPart() {
        GeoRanges r = new GeoRanges();
        r.add(v4("127.0.0.0"), v4("127.0.0.255"), "test");
        r.add(v4("127.0.0.1"), v4("127.0.0.2"), "test2");
        r.add(v4("127.0.0.1"), v4("127.0.0.1"), "loopback");
        assertThat(r.find(v4("127.0.0.0"))).isEqualTo("test");
        assertThat(r.find(v4("127.0.0.1"))).isEqualTo("loopback");
        assertThat(r.find(v4("127.0.0.2"))).isEqualTo("test2");
        assertThat(r.find(v4("127.0.0.3"))).isEqualTo("test");
        assertThat(r.find(v4("127.0.1.0"))).isNull();
    }

    @Test
    void aRangeAcrossSeveral16sIsCutAtTheirBoundaries() {
        GeoRanges r = new GeoRanges();
        r.add(v4("10.10.3.0"), v4("10.11.2.255"), "foo");
        r.add(v4("10.12.3.0"), v4("10.13.2.255"), "foo2");
        assertThat(r.find(v4("10.11.0.1"))).isEqualTo("foo");
        assertThat(r.find(v4("10.13.2.1"))).isEqualTo("foo2");
        assertThat(r.delete(v4("10.10.3.0"), v4("10.11.2.255"))).isTrue();
        assertThat(r.find(v4("10.11.2.1"))).isNull();
        assertThat(r.find(v4("10.13.2.1"))).isEqualTo("foo2");
        assertThat(r.delete(v4("10.10.3.0"), v4("10.10.3.1"))).isFalse();
    }

    @Test
    void aPartialOverlapIsRefusedAndAnExactOneIsADuplicate() {
        GeoRanges r = new GeoRanges();
        r.add(v4("192.0.2.10"), v4("192.0.2.20"), "a");
        assertThat(r.add(v4("192.0.2.15"), v4("192.0.2.30"), "b").overlaps()).isEqualTo("192.0.2.10-192.0.2.20");
        assertThat(r.add(v4("192.0.2.10"), v4("192.0.2.20"), "c").duplicateOf()).isEqualTo("a");
        assertThat(r.find(v4("192.0.2.12"))).isEqualTo("c");
        assertThat(r.add(v4("255.255.0.0"), v4("255.255.255.254"), "top").overlaps()).isNull();
        assertThat(r.find(v4("255.255.255.254"))).isEqualTo("top");
    }
}
