package io.gev;

import io.gev.internal.ServerEngine;

/**
 * The engine of a {@link Server}, for the embedded fixture ({@code io.gev.internal.EmbeddedLoop}),
 * which runs a built, never started server's engine on one loop of its own. Not API.
 */
public final class ServerEngineAccess {

    private ServerEngineAccess() {
    }

    public static ServerEngine engine(Server server) {
        return server.engine();
    }
}
