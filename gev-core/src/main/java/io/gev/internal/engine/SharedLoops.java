package io.gev.internal.engine;

import io.gev.EventLoops;

import java.util.Objects;
import java.util.function.Function;

/**
 * The loop group behind an {@link EventLoops}, for the API packages other than {@code io.gev}
 * (the datagram server): {@code EventLoops} hands over its accessor when its class loads, so that
 * the group stays out of the public API.
 */
public final class SharedLoops {

    private static volatile Function<EventLoops, LoopGroup> access;

    private SharedLoops() {
    }

    /** Called once, by {@link EventLoops}. */
    public static void bind(Function<EventLoops, LoopGroup> accessor) {
        if (access != null) {
            throw new IllegalStateException("bound already");
        }
        access = Objects.requireNonNull(accessor, "accessor");
    }

    /** The group of {@code loops}. */
    public static LoopGroup of(EventLoops loops) {
        return access.apply(loops);
    }
}
