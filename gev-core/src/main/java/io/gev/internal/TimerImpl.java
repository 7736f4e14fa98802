package io.gev.internal;

import io.gev.loop.Timer;

import java.util.concurrent.Future;

final class TimerImpl implements Timer {

    private final Future<?> future;

    TimerImpl(Future<?> future) {
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
