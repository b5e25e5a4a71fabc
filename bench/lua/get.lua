-- bench/run: prints one machine-readable line when wrk is done:
-- BENCH requests bytes duration_us p50_us p99_us socket_errors non2xx
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\n",
    summary.requests, summary.bytes, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
