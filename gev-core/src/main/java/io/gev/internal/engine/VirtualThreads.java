package io.gev.internal.engine;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads, found at run time: gev compiles for Java 17, where {@code Thread.ofVirtual()}
 * does not exist. {@link io.gev.HandlerExecution} refuses them on older JVMs, so this runs on
 * Java 21 and later only.
 */
final class VirtualThreads {

    private VirtualThreads() {
    }

    /** An executor that starts a virtual thread named {@code prefix} and a number per task. */
    static Executor executor(String prefix) {
        ThreadFactory factory;
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> type = Class.forName("java.lang.Thread$Builder");
            builder = type.getMethod("name", String.class, long.class).invoke(builder, prefix, 0L);
            factory = (ThreadFactory) type.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot create virtual threads on Java " + Runtime.version(), e);
        }
        return task -> factory.newThread(task).start();
    }
}
