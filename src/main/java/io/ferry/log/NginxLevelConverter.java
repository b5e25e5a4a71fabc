package io.ferry.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Level names as nginx writes them: [error], [warn], [notice], [debug]. */
public final class NginxLevelConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        Level l = event.getLevel();
        if (l == Level.ERROR) {
            return event.getMarkerList() != null && !event.getMarkerList().isEmpty()
                    ? event.getMarkerList().get(0).getName() : "error";
        }
        if (l == Level.WARN) {
            return "warn";
        }
        if (l == Level.INFO) {
            return event.getMarkerList() != null && !event.getMarkerList().isEmpty()
                    ? event.getMarkerList().get(0).getName() : "info";
        }
        return "debug";
    }
}
