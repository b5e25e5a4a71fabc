package io.ferry.module.geo;

/**
 * nginx's radix tree (ngx_radix32tree/ngx_radix128tree) over one address family: a network is a
 * path of its prefix bits, and a lookup returns the value of the longest network holding the
 * address. Inserting a network already present fails, as nginx's NGX_BUSY, so the caller can warn.
 */
final class CidrTree<V> {
    private static final class Node<V> {
        Node<V> zero;
        Node<V> one;
        V value;
    }

    private final Node<V> root = new Node<>();

    /** Adds {@code network/bits}; false when that network already has a value. */
    boolean insert(byte[] network, int bits, V value) {
        Node<V> n = root;
        for (int i = 0; i < bits; i++) {
            Node<V> next = bit(network, i) ? n.one : n.zero;
            if (next == null) {
                next = new Node<>();
                if (bit(network, i)) {
                    n.one = next;
                } else {
                    n.zero = next;
                }
            }
            n = next;
        }
        if (n.value != null) {
            return false;
        }
        n.value = value;
        return true;
    }

    /** Removes the value of exactly {@code network/bits}; false when it has none. */
    boolean delete(byte[] network, int bits) {
        Node<V> n = node(network, bits);
        if (n == null || n.value == null) {
            return false;
        }
        n.value = null;
        return true;
    }

    /** The value of exactly {@code network/bits}, or null. */
    V get(byte[] network, int bits) {
        Node<V> n = node(network, bits);
        return n == null ? null : n.value;
    }

    /** The value of the longest network holding {@code address}, or null. */
    V find(byte[] address) {
        V found = root.value;
        Node<V> n = root;
        for (int i = 0; i < address.length * 8 && n != null; i++) {
            n = bit(address, i) ? n.one : n.zero;
            if (n != null && n.value != null) {
                found = n.value;
            }
        }
        return found;
    }

    private Node<V> node(byte[] network, int bits) {
        Node<V> n = root;
        for (int i = 0; i < bits && n != null; i++) {
            n = bit(network, i) ? n.one : n.zero;
        }
        return n;
    }

    private static boolean bit(byte[] a, int i) {
        return (a[i >> 3] & (0x80 >> (i & 7))) != 0;
    }
}
