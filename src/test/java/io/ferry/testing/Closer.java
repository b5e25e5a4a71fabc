package io.ferry.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * What a test started (Ferry, backends, sockets, log captures), closed in reverse order of starting,
 * then a check that Netty's leak detector reported no lost buffer meanwhile: a leak fails the test
 * like a failed assertion, since the paranoid detector only logs. Every resource is closed even
 * when an earlier one fails; the first failure is reported with the others suppressed.
 *
 * <p>On an instance field everything is closed after each test. On a static field what is added
 * while a test runs (its {@code @BeforeEach}, body and {@code @AfterEach}) is closed after that
 * test, and what is added outside one (static initialisers, {@code @BeforeAll}) after the class,
 * where the leak check then runs once for the whole class.
 */
public final class Closer implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private final List<AutoCloseable> forTest = new ArrayList<>();
    private final List<AutoCloseable> forClass = new ArrayList<>();
    private final LeakReports leaks = new LeakReports();
    private boolean classLevel;
    private boolean inTest;

    public <T extends AutoCloseable> T add(T resource) {
        (classLevel && !inTest ? forClass : forTest).add(resource);
        return resource;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Only a static field (or a per-class test instance) is here before the tests run.
        classLevel = true;
        leaks.attach();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        inTest = true;
        if (!classLevel) {
            leaks.attach();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        inTest = false;
        Throwable failure = closeAll(forTest);
        rethrow(classLevel ? failure : checkLeaks(failure));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        rethrow(checkLeaks(closeAll(forClass)));
    }

    private static Throwable closeAll(List<AutoCloseable> resources) {
        Throwable first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception | AssertionError e) {
                first = firstOf(first, e);
            }
        }
        resources.clear();
        return first;
    }

    private Throwable checkLeaks(Throwable failure) throws InterruptedException {
        List<String> reported;
        try {
            reported = leaks.flushAndTake();
        } finally {
            leaks.detach();
        }
        if (reported.isEmpty()) {
            return failure;
        }
        return firstOf(failure, new AssertionError("Netty reported " + reported.size() + " leaked buffer(s):\n"
                + String.join("\n", reported)));
    }

    private static Throwable firstOf(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static void rethrow(Throwable failure) throws Exception {
        if (failure instanceof Exception e) {
            throw e;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    /** The "LEAK:" lines Netty's detector logs; thread-safe, since it logs on whichever thread allocates. */
    static final class LeakReports extends AppenderBase<ILoggingEvent> {
        private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        private final List<String> lines = new CopyOnWriteArrayList<>();

        LeakReports() {
            setName("leak-reports");
        }

        void attach() {
            lines.clear();
            start();
            logger.addAppender(this);
        }

        void detach() {
            logger.detachAppender(this);
            stop();
        }

        @Override
        protected void append(ILoggingEvent e) {
            if (e.getFormattedMessage().contains("LEAK:")) {
                lines.add(e.getFormattedMessage());
            }
        }

        /**
         * The detector reports a lost buffer only when a later allocation finds its reference
         * collected: collect garbage, then allocate and release a few tracked buffers so that every
         * pending report is written before the lines are read.
         */
        List<String> flushAndTake() throws InterruptedException {
            for (int round = 0; round < 3; round++) {
                System.gc();
                Thread.sleep(50);
                for (ByteBufAllocator alloc : new ByteBufAllocator[] {ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                        UnpooledByteBufAllocator.DEFAULT}) {
                    for (int i = 0; i < 8; i++) {
                        alloc.directBuffer(16).release();
                        alloc.heapBuffer(16).release();
                    }
                }
            }
            List<String> taken = List.copyOf(lines);
            lines.clear();
            return taken;
        }
    }
}
