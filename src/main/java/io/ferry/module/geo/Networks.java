package io.ferry.module.geo;

/** IPv4 and IPv6 networks with a value each; an IPv4-mapped IPv6 address is looked up as IPv4, as nginx does. */
final class Networks<V> {
    private final CidrTree<V> v4 = new CidrTree<>();
    private final CidrTree<V> v6 = new CidrTree<>();
    private boolean empty = true;

    /** False when the network already has a value. */
    boolean insert(Cidr c, V value) {
        empty = false;
        return tree(c).insert(c.network(), c.bits(), value);
    }

    boolean delete(Cidr c) {
        return tree(c).delete(c.network(), c.bits());
    }

    V get(Cidr c) {
        return tree(c).get(c.network(), c.bits());
    }

    boolean isEmpty() {
        return empty;
    }

    /** The value of the longest network holding {@code address} (4 or 16 bytes), or null. */
    V find(byte[] address) {
        return (address.length == 4 ? v4 : v6).find(address);
    }

    private CidrTree<V> tree(Cidr c) {
        return c.v4() ? v4 : v6;
    }
}
