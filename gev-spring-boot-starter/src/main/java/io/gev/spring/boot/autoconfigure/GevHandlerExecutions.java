package io.gev.spring.boot.autoconfigure;

import io.gev.HandlerExecution;
import io.gev.spring.boot.autoconfigure.GevProperties.ServerProperties;

import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Where each server's or client's handler runs, from its {@code handler-execution} and
 * {@code max-queued-messages}: on the loop, on Spring Boot's {@code applicationTaskExecutor} (which
 * follows {@code spring.threads.virtual.enabled}), or on virtual threads of gev's own.
 */
final class GevHandlerExecutions {

    /** The bean name of Spring Boot's task executor (TaskExecutionAutoConfiguration's). */
    static final String APPLICATION_TASK_EXECUTOR = "applicationTaskExecutor";

    private final Supplier<Executor> applicationTaskExecutor;

    /** @param applicationTaskExecutor the bean {@value #APPLICATION_TASK_EXECUTOR}, or {@code null} without one */
    GevHandlerExecutions(Supplier<Executor> applicationTaskExecutor) {
        this.applicationTaskExecutor = applicationTaskExecutor;
    }

    /**
     * The execution {@code config} asks for.
     *
     * @param server the server's name, for messages
     * @throws GevServerConfigurationException for virtual threads on a JVM without them
     */
    HandlerExecution resolve(String server, ServerProperties config) {
        return resolve("gev server '" + server + "'", config.getHandlerExecution(), config.getMaxQueuedMessages());
    }

    /**
     * The execution {@code kind} names, for the server or client {@code what} ("gev client 'x'").
     *
     * @throws GevServerConfigurationException for virtual threads on a JVM without them
     */
    HandlerExecution resolve(String what, GevProperties.HandlerExecution kind, int maxQueuedMessages) {
        HandlerExecution.Builder builder = HandlerExecution.builder().maxQueuedMessages(maxQueuedMessages);
        switch (kind) {
            case OFFLOAD:
                Executor executor = this.applicationTaskExecutor.get();
                if (executor != null) {
                    return builder.executor(executor).build();
                }
                return virtualThreads(what, builder, "handler-execution=offload found no Executor bean named '"
                        + APPLICATION_TASK_EXECUTOR + "' (Spring Boot's task executor backs off when the application"
                        + " defines an Executor of its own, unless spring.task.execution.mode is force) and");
            case VIRTUAL_THREADS:
                return virtualThreads(what, builder, "handler-execution=virtual-threads");
            default:
                return builder.build();
        }
    }

    private static HandlerExecution virtualThreads(String subject, HandlerExecution.Builder builder, String what) {
        if (!HandlerExecution.virtualThreadsAvailable()) {
            throw new GevServerConfigurationException(subject + ": " + what
                    + " needs virtual threads, which Java " + Runtime.version().feature() + " does not have.",
                    "Set spring.task.execution.mode=force (or name an Executor bean of yours '"
                            + APPLICATION_TASK_EXECUTOR + "') with handler-execution=offload, or run on Java 21 or later.");
        }
        return builder.virtualThreads().build();
    }
}
