package io.gev.websocket;

import io.gev.protocol.Protocol;

/**
 * The WebSocket protocol for gev's benchmarks, which measure its decoder without the rest of the
 * data path; gev's API keeps it inside {@link WebSocketServer#builder}. The protocol has no state
 * but its options (a connection's state lives in the connection), so this instance decodes the
 * connections of any server built with the same options.
 */
public final class BenchmarkAccess {

    private BenchmarkAccess() {
    }

    public static Protocol<WebSocketMessage> protocol(WebSocketOptions options) {
        return new WebSocketProtocol(options);
    }
}
