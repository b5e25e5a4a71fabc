package io.ferry.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.testing.ErrorLogLines;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** accept() failures as nginx reports them, on a listening channel stood in for by an embedded one. */
class AcceptFailuresTest {
    @Test
    void runningOutOfDescriptorsIsLoggedOnceASecondAndPausesAcceptingForHalfASecond() throws Exception {
        EmbeddedChannel listener = new EmbeddedChannel(new AcceptFailures());
        listener.freezeTime();
        try (ErrorLogLines log = ErrorLogLines.capture()) {
            for (int i = 0; i < 5; i++) {
                listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
            }
            assertThat(log.lines()).containsExactly("accept() failed (24: Too many open files)");
            assertThat(listener.config().isAutoRead()).as("accepting paused").isFalse();

            listener.advanceTimeBy(AcceptFailures.PAUSE_MILLIS - 1, TimeUnit.MILLISECONDS);
            listener.runScheduledPendingTasks();
            assertThat(listener.config().isAutoRead()).isFalse();
            listener.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            listener.runScheduledPendingTasks();
            assertThat(listener.config().isAutoRead()).as("accepting again").isTrue();
        }
        listener.checkException();
        listener.finishAndReleaseAll();
    }

    @Test
    void theSystemWideLimitAndOtherErrorsKeepTheirNumbersAndText() {
        assertThat(AcceptFailures.errno(new IOException("Too many open files in system"))).isEqualTo(23);
        assertThat(AcceptFailures.errno(new IOException("accept(..) failed: Too many open files"))).isEqualTo(24);
        assertThat(AcceptFailures.reason(new IOException("accept(..) failed: Too many open files"))).isEqualTo("Too many open files");
        assertThat(AcceptFailures.errno(new IOException("Software caused connection abort"))).isZero();
    }
}
