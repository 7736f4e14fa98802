package io.gev.spring.boot.autoconfigure;

import io.gev.HandlerExecution;
import io.gev.ServerOptions;
import io.gev.spring.boot.actuate.GevEndpoint;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.testing.Clients;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import java.util.concurrent.Executor;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code handler-execution} and {@code max-queued-messages}: where a server's handler runs. */
class GevHandlerExecutionTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withUserConfiguration(GevAutoConfigurationTests.EchoConfiguration.class)
            .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.address=127.0.0.1");

    private final ApplicationContextRunner withTaskExecution = this.runner
            .withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class));

    @Test
    void handlersRunOnTheLoopByDefault() {
        this.withTaskExecution.run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(options(context, "echo-handler").handlerExecution()).isEqualTo(HandlerExecution.loop());
        });
    }

    @Test
    void offloadRunsOnSpringBootsApplicationTaskExecutor() {
        this.withTaskExecution.withPropertyValues("gev.server.handler-execution=offload",
                "gev.server.max-queued-messages=16").run((context) -> {
                    assertThat(context).hasNotFailed();
                    HandlerExecution execution = options(context, "echo-handler").handlerExecution();
                    assertThat(execution.mode()).isEqualTo(HandlerExecution.Mode.EXECUTOR);
                    assertThat(execution.executor()).containsSame(
                            context.getBean(GevHandlerExecutions.APPLICATION_TASK_EXECUTOR, Executor.class));
                    assertThat(execution.maxQueuedMessages()).isEqualTo(16);
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.echo(port, "offloaded")).isEqualTo("offloaded");
                    GevEndpoint.ServerDescriptor described = new GevEndpoint(context.getBean(GevServers.class)).gev()
                            .servers().get("echo-handler");
                    assertThat(described.handlerExecution()).isEqualTo("EXECUTOR");
                    assertThat(described.handlerBacklog()).isZero();
                });
    }

    @Test
    void theWebSocketServerTakesItFromGevServerToo() {
        this.withTaskExecution.withUserConfiguration(GevAutoConfigurationTests.WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.server.handler-execution=offload").run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(options(context, "webSocketEcho").handlerExecution().offloads()).isTrue();
                    int port = context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class);
                    assertThat(Clients.webSocketEcho(port, "/", "offloaded")).isEqualTo("offloaded");
                });
    }

    @Test
    void offloadWithoutATaskExecutorTakesVirtualThreadsOrFailsNamingWhatIsMissing() {
        virtualThreadsOrFailure("offload", "applicationTaskExecutor");
    }

    @Test
    void virtualThreadsNeedJava21() {
        virtualThreadsOrFailure("virtual-threads", "virtual-threads");
    }

    /**
     * With {@code handler-execution} at {@code value} and no task executor: virtual threads on a
     * JVM that has them, else a startup failure naming {@code missing} and the Java version. One
     * test for both kinds of JVM, which CI runs both of: a skipped test would read as a warning.
     */
    private void virtualThreadsOrFailure(String value, String missing) {
        this.runner.withPropertyValues("gev.server.handler-execution=" + value).run((context) -> {
            if (HandlerExecution.virtualThreadsAvailable()) {
                assertThat(context).hasNotFailed();
                assertThat(options(context, "echo-handler").handlerExecution().mode())
                        .isEqualTo(HandlerExecution.Mode.VIRTUAL_THREADS);
                return;
            }
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(GevServerConfigurationException.class)
                    .hasMessageContaining(missing).hasMessageContaining("Java " + Runtime.version().feature());
        });
    }

    @Test
    void maxQueuedMessagesIsAtLeastOne() {
        this.withTaskExecution.withPropertyValues("gev.server.handler-execution=offload",
                "gev.server.max-queued-messages=0").run((context) -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                            .hasMessageContaining("gev.server.max-queued-messages");
                });
        this.withTaskExecution.withPropertyValues("gev.server.handler-execution=offload",
                "gev.server.max-queued-messages=1").run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(options(context, "echo-handler").handlerExecution().maxQueuedMessages()).isEqualTo(1);
                });
    }

    private static ServerOptions options(ApplicationContext context, String server) {
        return context.getBean(GevServers.class).get(server).options();
    }
}
