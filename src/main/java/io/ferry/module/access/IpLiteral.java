package io.ferry.module.access;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A numeric IP address, parsed strictly: dotted-quad IPv4 with four parts (no BSD short forms
 * like "1.2.3") or an IPv6 literal. Never a name, so parsing never waits for DNS.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** The address, or null when {@code text} is not a numeric literal. */
    public static InetAddress parse(String text) {
        if (text.indexOf(':') >= 0) {
            String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            if (!t.matches("[0-9a-fA-F:.]+")) {
                return null;
            }
            try {
                return InetAddress.getByName(t);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
                return null;
            }
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
