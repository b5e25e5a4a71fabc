package io.ferry.stream;

import java.util.List;

/**
 * A server's phase handlers in order, and where the TLS handshake of a "listen ... ssl" comes
 * among them: before {@code handlers[preread]}, the first of the PREREAD phase.
 */
record StreamPhases(List<StreamHandler> handlers, int preread) {
}
