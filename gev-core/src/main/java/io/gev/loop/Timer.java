package io.gev.loop;

/** A task scheduled with {@link EventLoop#schedule} or a server's {@code runAfter}/{@code runEvery}. */
public interface Timer {

    /**
     * Stops further runs. A run in progress finishes.
     *
     * @return {@code false} when the timer had already run (once) or been cancelled
     */
    boolean cancel();

    /** {@code true} once {@link #cancel()} succeeded. */
    boolean isCancelled();
}
