package io.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the extension's callbacks as JUnit would, without a context, which it does not read. */
class CloserTest {
    private final List<String> closed = new ArrayList<>();
    private ResourceLeakDetector.Level level;

    @BeforeEach
    void everyBufferTracked() {
        level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void restoreLevel() {
        ResourceLeakDetector.setLevel(level);
    }

    @Test
    void aBufferLostDuringATestFailsItAfterEverythingIsClosed() throws Exception {
        Closer closer = new Closer();
        closer.beforeEach(null);
        closer.add(() -> closed.add("backend"));
        closer.add(() -> closed.add("ferry"));
        loseABuffer();

        assertThatThrownBy(() -> closer.afterEach(null)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Netty reported 1 leaked buffer(s)").hasMessageContaining("LEAK:");
        assertThat(closed).containsExactly("ferry", "backend");
    }

    @Test
    void aFailedCloseFailsTheTestAndTheRestAreStillClosed() throws Exception {
        Closer closer = new Closer();
        closer.beforeEach(null);
        closer.add(() -> closed.add("backend"));
        closer.add(() -> {
            throw new IOException("port still bound");
        });
        closer.add(() -> closed.add("ferry"));

        assertThatThrownBy(() -> closer.afterEach(null)).isInstanceOf(IOException.class).hasMessage("port still bound");
        assertThat(closed).containsExactly("ferry", "backend");
    }

    @Test
    void onAStaticFieldWhatATestAddsGoesAfterItAndTheRestAfterTheClass() throws Exception {
        Closer closer = new Closer();
        closer.beforeAll(null);
        closer.add(() -> closed.add("ferry"));
        closer.beforeEach(null);
        closer.add(() -> closed.add("client"));
        closer.afterEach(null);
        assertThat(closed).containsExactly("client");

        closer.afterAll(null);
        assertThat(closed).containsExactly("client", "ferry");
    }

    @Test
    void nothingLostNothingReported() throws Exception {
        Closer closer = new Closer();
        closer.beforeEach(null);
        closer.add(UnpooledByteBufAllocator.DEFAULT.directBuffer(16)::release);
        closer.afterEach(null);
    }

    /**
     * Direct, since the detector tracks only buffers the garbage collector would not free for us;
     * dropped in a frame of its own, so that nothing on the test's stack keeps it reachable.
     */
    private static void loseABuffer() {
        UnpooledByteBufAllocator.DEFAULT.directBuffer(16).writeInt(42);
    }
}
