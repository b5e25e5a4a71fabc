package io.ferry.server;

import io.ferry.http.Exchange;
import io.ferry.http.hook.ExchangeListener;
import io.ferry.log.AccessLogs;
import io.ferry.log.LogModule;
import io.ferry.metrics.Metrics;

/** Every finished exchange is counted in the metrics and written to its location's access logs. */
final class RequestRecorder implements ExchangeListener {
    private final AccessLogs accessLogs;
    private final Metrics metrics;

    RequestRecorder(AccessLogs accessLogs, Metrics metrics) {
        this.accessLogs = accessLogs;
        this.metrics = metrics;
    }

    @Override
    public void completed(Exchange ex) {
        metrics.recordExchange(ex, ex.locationName());
        accessLogs.log(LogModule.accessLogs(ex.settings()), ex);
    }
}
