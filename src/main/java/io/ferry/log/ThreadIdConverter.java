package io.ferry.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** nginx prints PID#TID; the logging thread's id stands in for the worker's. */
public final class ThreadIdConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Long.toString(Thread.currentThread().getId());
    }
}
