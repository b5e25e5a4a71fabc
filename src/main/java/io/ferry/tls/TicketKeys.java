package io.ferry.tls;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session ticket keys. Keys from ssl_session_ticket_key files are installed in the order written:
 * the first encrypts new tickets, every one decrypts, and a ticket under another than the first is
 * renewed. Without such files a server with a shared session cache gets the zone's keys, which, as in
 * nginx since 1.23.2, are replaced every ssl_session_timeout while the two before them still decrypt;
 * other servers keep BoringSSL's own keys, which it replaces every two days.
 */
public final class TicketKeys {
    private static final int SIZE = 16;
    private static final int KEPT = 3;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Zones live as long as the process, as nginx's shared memory outlives a reload. */
    private static final Map<String, Rotation> ZONES = new ConcurrentHashMap<>();

    private TicketKeys() {
    }

    /**
     * A key in nginx's file layouts: 48 bytes are name, AES-128 key and HMAC key; 80 bytes are name,
     * 32-byte HMAC key and AES-256 key. BoringSSL's ticket callback in the TLS binding takes 128-bit
     * keys only, so an 80-byte key is used through the first half of each secret.
     */
    public record Key(byte[] name, byte[] aes, byte[] hmac) {
        static Key of(byte[] file) {
            if (file.length == 48) {
                return new Key(part(file, 0), part(file, 16), part(file, 32));
            }
            if (file.length == 80) {
                return new Key(part(file, 0), part(file, 48), part(file, 16));
            }
            return null;
        }

        static Key random() {
            byte[] bytes = new byte[48];
            RANDOM.nextBytes(bytes);
            return of(bytes);
        }

        private static byte[] part(byte[] file, int from) {
            return Arrays.copyOfRange(file, from, from + SIZE);
        }

        OpenSslSessionTicketKey openSsl() {
            return new OpenSslSessionTicketKey(name, hmac, aes);
        }
    }

    /** Sets the configured keys; returns what keeps a context's keys current, or null when nothing changes them. */
    static Runnable install(ReferenceCountedOpenSslContext context, Tls tls) {
        TlsSessions sessions = tls.sessions();
        if (!sessions.tickets()) {
            return null;
        }
        if (!tls.options().ticketKeys().isEmpty()) {
            context.sessionContext().setTicketKeys(tls.options().ticketKeys().stream().map(Key::openSsl)
                    .toArray(OpenSslSessionTicketKey[]::new));
            return null;
        }
        if (sessions.zone() == null) {
            return null;
        }
        Rotation zone = ZONES.computeIfAbsent(sessions.zone(), z -> new Rotation());
        long[] seen = {-1};
        return () -> zone.refresh(context, sessions.timeoutSeconds() * 1000, seen);
    }

    /** A zone's keys, newest first, and when the newest stops encrypting. */
    private static final class Rotation {
        private final Key[] keys = new Key[KEPT];
        private long expires;
        private long generation;

        /**
         * Rotates when the newest key is due, and gives {@code context} the keys when they changed
         * since it last had them ({@code seen[0]}, its generation); under the lock, so a context
         * never ends up with an older set.
         */
        synchronized void refresh(ReferenceCountedOpenSslContext context, long lifetimeMillis, long[] seen) {
            long now = System.currentTimeMillis();
            if (keys[0] == null || now >= expires) {
                System.arraycopy(keys, 0, keys, 1, KEPT - 1);
                keys[0] = Key.random();
                expires = now + lifetimeMillis;
                generation++;
            }
            if (seen[0] != generation) {
                seen[0] = generation;
                context.sessionContext().setTicketKeys(Arrays.stream(keys).filter(k -> k != null).map(Key::openSsl)
                        .toArray(OpenSslSessionTicketKey[]::new));
            }
        }
    }
}
