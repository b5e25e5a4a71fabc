package io.ferry.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Level names as nginx writes them: [error], [warn], [notice], [debug]. */
public final class NginxLevelConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        Level l = event.getLevel();
        // nginx's levels logback lacks (notice, emerg) ride on a marker.
        boolean marked = event.getMarkerList() != null && !event.getMarkerList().isEmpty();
        if (marked && (l == Level.ERROR || l == Level.INFO)) {
            return event.getMarkerList().get(0).getName();
        }
        return l == Level.ERROR ? "error" : l == Level.WARN ? "warn" : l == Level.INFO ? "info" : "debug";
    }
}
