package io.gev.spring.boot.autoconfigure;

import io.gev.websocket.WebSocketHandler;
import org.springframework.util.Assert;

import java.util.ArrayList;
import java.util.List;

/**
 * Where {@link GevWebSocketConfigurer}s map handlers to paths. Not thread-safe: use it only within
 * {@link GevWebSocketConfigurer#registerHandlers}.
 */
public final class GevWebSocketHandlerRegistry {

    private final List<GevWebSocketHandlerRegistration> registrations = new ArrayList<>();

    GevWebSocketHandlerRegistry() {
    }

    /**
     * Serves {@code handler} on {@code paths}, each matched exactly against a request's path (the
     * query ignored); the handler need not be a bean.
     *
     * @return the registration, to set the subprotocols and origins of these paths
     * @throws IllegalArgumentException when {@code handler} is null or no path is given
     */
    public GevWebSocketHandlerRegistration addHandler(WebSocketHandler handler, String... paths) {
        Assert.notNull(handler, "'handler' must not be null");
        Assert.notEmpty(paths, "'paths' must not be empty");
        GevWebSocketHandlerRegistration registration = new GevWebSocketHandlerRegistration(handler, List.of(paths));
        this.registrations.add(registration);
        return registration;
    }

    List<GevWebSocketHandlerRegistration> registrations() {
        return this.registrations;
    }
}
