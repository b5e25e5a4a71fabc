package io.ferry.websocket;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Attempts a handshake and returns what it failed with (or null when it succeeded). */
final class WsClientHandshake {
    private WsClientHandshake() {
    }

    static Throwable attempt(HttpClient http, String uri) throws Exception {
        try {
            http.newWebSocketBuilder().buildAsync(URI.create(uri), new WsClient()).get(15, TimeUnit.SECONDS).abort();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
