package io.ferry.metrics;

import io.ferry.http.hook.ContentHandler;
import io.ferry.http.Exchange;

/** The `metrics` content handler: Prometheus text exposition of {@link Metrics}. */
final class MetricsHandler implements ContentHandler {
    private final Metrics metrics;

    MetricsHandler(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(Exchange ex) {
        StubStatusHandler.send(ex, metrics.scrape(), Metrics.contentType());
    }
}
