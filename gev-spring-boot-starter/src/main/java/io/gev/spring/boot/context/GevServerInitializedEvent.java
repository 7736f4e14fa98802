package io.gev.spring.boot.context;

import io.gev.Server;
import org.springframework.context.ApplicationEvent;

/** Published when a gev server managed by the application context has started and is bound. */
public class GevServerInitializedEvent extends ApplicationEvent {

    private static final long serialVersionUID = 1L;

    private final transient Server server;

    public GevServerInitializedEvent(Server server) {
        super(server);
        this.server = server;
    }

    /** The started server; {@link Server#port()} is its bound port. */
    public Server getServer() {
        return this.server;
    }
}
