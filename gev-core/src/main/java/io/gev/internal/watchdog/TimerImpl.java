package io.gev.internal.watchdog;

import io.gev.loop.Timer;

import java.util.concurrent.Future;

public final class TimerImpl implements Timer {

    private final Future<?> future;

    public TimerImpl(Future<?> future) {
        this.future = future;
    }

    @Override
    public boolean cancel() {
        return future.cancel(false);
    }

    @Override
    public boolean isCancelled() {
        return future.isCancelled();
    }
}
