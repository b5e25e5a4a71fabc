package io.ferry.stream;

/**
 * A handler of one of a stream session's phases (nginx's ngx_stream_phase_handler_pt), run in
 * {@link StreamPhase} order, before the content (proxy_pass or return). Its answer: {@link #NEXT}
 * to go on, {@link #AGAIN} to be asked again once more client bytes arrived (a preread handler
 * parsing {@link StreamContext#preread()}), or a status (403, 500...) that ends the session with
 * it as $status.
 */
@FunctionalInterface
public interface StreamHandler {
    int NEXT = 0;
    int AGAIN = -1;

    int handle(StreamContext session);
}
