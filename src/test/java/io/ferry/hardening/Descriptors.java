package io.ferry.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

/**
 * The open-files limit of this JVM, for tests whose figures need many sockets at once. They fail,
 * naming the limit, when it is too low, instead of measuring something smaller than what they claim.
 * (HotSpot raises the soft limit to the hard one at start; bin/test raises the hard one when it may.)
 */
final class Descriptors {
    private Descriptors() {
    }

    static long max() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

    static long left() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

    /** Fails unless {@code needed} more descriptors can be opened in this JVM. */
    static void require(long needed, String forWhat) {
        long left = left();
        assertThat(left)
                .as("open files: %s need %d descriptors, but RLIMIT_NOFILE is %d with %d left; raise `ulimit -n` "
                        + "(bin/test does when it runs as root)", forWhat, needed, max(), left)
                .isGreaterThanOrEqualTo(needed);
    }
}
