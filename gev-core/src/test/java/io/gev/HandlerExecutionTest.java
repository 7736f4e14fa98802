package io.gev;

import org.junit.jupiter.api.Test;

import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings of {@link HandlerExecution}: defaults, validation at and around the bound, the Java check. */
class HandlerExecutionTest {

    @Test
    void theDefaultRunsOnTheLoop() {
        assertEquals(HandlerExecution.Mode.LOOP, HandlerExecution.loop().mode());
        assertFalse(HandlerExecution.loop().offloads());
        assertEquals(HandlerExecution.loop(), ServerOptions.defaults().handlerExecution());
        assertEquals(HandlerExecution.DEFAULT_MAX_QUEUED_MESSAGES, HandlerExecution.loop().maxQueuedMessages());
    }

    @Test
    void anExecutorIsKeptAsGiven() {
        Executor executor = Runnable::run;
        HandlerExecution execution = HandlerExecution.executor(executor);
        assertEquals(HandlerExecution.Mode.EXECUTOR, execution.mode());
        assertTrue(execution.offloads());
        assertSame(executor, execution.executor().orElseThrow());
        assertThrows(NullPointerException.class, () -> HandlerExecution.executor(null));
    }

    @Test
    void theBoundIsAtLeastOne() {
        HandlerExecution.Builder b = HandlerExecution.builder().executor(Runnable::run);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.maxQueuedMessages(0));
        assertTrue(e.getMessage().contains("maxQueuedMessages"), e.getMessage());
        assertEquals(1, b.maxQueuedMessages(1).build().maxQueuedMessages());
        assertEquals(2, b.maxQueuedMessages(2).build().maxQueuedMessages());
        assertThrows(IllegalArgumentException.class, () -> b.maxQueuedMessages(-1));
        assertEquals(2, b.build().maxQueuedMessages(), "a refused value keeps the previous one");
    }

    @Test
    void toBuilderKeepsEverySetting() {
        Executor executor = Runnable::run;
        HandlerExecution execution = HandlerExecution.builder().executor(executor).maxQueuedMessages(7).build();
        assertEquals(execution, execution.toBuilder().build());
        assertNotEquals(execution, execution.toBuilder().maxQueuedMessages(8).build());
        assertEquals(HandlerExecution.loop(), execution.toBuilder().loop().maxQueuedMessages(128).build());
    }

    @Test
    void serverOptionsCarryIt() {
        HandlerExecution execution = HandlerExecution.executor(Runnable::run);
        ServerOptions options = ServerOptions.builder().handlerExecution(execution).build();
        assertSame(execution, options.handlerExecution());
        assertEquals(options, options.toBuilder().build());
        assertTrue(options.toString().contains("EXECUTOR"), options.toString());
        assertThrows(NullPointerException.class, () -> ServerOptions.builder().handlerExecution(null));
    }

    /** One test for both kinds of JVM, which CI runs both of: a skipped test would read as a warning. */
    @Test
    void virtualThreadsNeedJava21AndAreRefusedBeforeWithTheVersionNamed() {
        if (Runtime.version().feature() >= 21) {
            assertTrue(HandlerExecution.virtualThreadsAvailable());
            HandlerExecution execution = HandlerExecution.virtualThreads();
            assertEquals(HandlerExecution.Mode.VIRTUAL_THREADS, execution.mode());
            assertTrue(execution.executor().isEmpty());
            return;
        }
        assertFalse(HandlerExecution.virtualThreadsAvailable());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                HandlerExecution::virtualThreads);
        assertTrue(e.getMessage().contains("Java 21") && e.getMessage().contains("Java " + Runtime.version().feature()),
                e.getMessage());
    }
}
