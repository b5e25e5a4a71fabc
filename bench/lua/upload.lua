-- bench/run: every request is a POST of a 1 MiB body (1048576 bytes), then the same BENCH line as get.lua.
wrk.method = "POST"
wrk.body = string.rep("0123456789abcdef", 65536)
wrk.headers["Content-Type"] = "application/octet-stream"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\n",
    summary.requests, summary.bytes, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
