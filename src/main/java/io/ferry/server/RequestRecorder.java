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

    /** Subrequests are not requests to count; they are logged where log_subrequest is on. */
    @Override
    public void subrequestCompleted(Exchange subrequest) {
        if (LogModule.logsSubrequests(subrequest.settings())) {
            accessLogs.log(LogModule.accessLogs(subrequest.settings()), subrequest);
        }
    }
}
