package io.gev.spring.boot.autoconfigure;

import io.gev.spring.boot.context.GevServers;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** Values no server takes fail startup naming the property, its value and why, at each boundary. */
class GevPropertyValidationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.address=127.0.0.1",
                    "gev.websocket.port=0", "gev.websocket.address=127.0.0.1");

    private final ApplicationContextRunner tcp = this.runner
            .withUserConfiguration(GevAutoConfigurationTests.EchoConfiguration.class);

    private final ApplicationContextRunner webSocket = this.runner
            .withUserConfiguration(GevAutoConfigurationTests.WebSocketEchoConfiguration.class);

    @Test
    void shouldTakeLoopsFromZeroAndRefuseNegativeNamingTheKey() {
        this.tcp.withPropertyValues("gev.server.loops=0").run((context) -> assertThat(context).hasNotFailed());
        this.tcp.withPropertyValues("gev.server.loops=1").run((context) -> assertThat(context).hasNotFailed());
        this.tcp.withPropertyValues("gev.server.loops=-1")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.loops", -1));
    }

    @Test
    void shouldRefuseANegativePortAndOneAbove65535() {
        this.tcp.withPropertyValues("gev.server.port=-1")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.port", -1));
        this.tcp.withPropertyValues("gev.server.port=65536")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.port", 65536));
    }

    @Test
    void shouldNameTheKeyUnderTheServersNameWhereItIsSetThere() {
        this.runner.withUserConfiguration(GevAutoConfigurationTests.TwoHandlersConfiguration.class)
                .withPropertyValues("gev.servers.echo-handler.port=0", "gev.servers.upper-handler.port=0",
                        "gev.servers.upper-handler.loops=-2")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.servers.upper-handler.loops", -2));
    }

    @Test
    void shouldTakeALowWaterMarkUpToTheHighOne() {
        this.tcp.withPropertyValues("gev.server.write-buffer-high-water-mark=64KB",
                "gev.server.write-buffer-low-water-mark=64KB").run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(GevServers.class).get("echo-handler").options()
                            .writeBufferLowWaterMark()).isEqualTo(64 * 1024);
                });
        this.tcp.withPropertyValues("gev.server.write-buffer-high-water-mark=64KB",
                "gev.server.write-buffer-low-water-mark=65537B")
                .run((context) -> assertThat(rootCause(context.getStartupFailure()))
                        .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (invalid) -> {
                            assertThat(invalid.getName()).isEqualTo("gev.server.write-buffer-low-water-mark");
                            assertThat(invalid.getReason()).contains("gev.server.write-buffer-high-water-mark");
                        }));
    }

    @Test
    void shouldTakeCompressionLevelsFromOneToNine() {
        this.webSocket.withPropertyValues("gev.websocket.compression.level=1")
                .run((context) -> assertThat(context).hasNotFailed());
        this.webSocket.withPropertyValues("gev.websocket.compression.level=9")
                .run((context) -> assertThat(context).hasNotFailed());
        this.webSocket.withPropertyValues("gev.websocket.compression.level=0")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.websocket.compression.level", 0));
        this.webSocket.withPropertyValues("gev.websocket.compression.level=10")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.websocket.compression.level", 10));
    }

    private static void assertInvalid(Throwable failure, String key, Object value) {
        assertThat(rootCause(failure)).isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                (invalid) -> {
                    assertThat(invalid.getName()).isEqualTo(key);
                    assertThat(invalid.getValue()).isEqualTo(value);
                    assertThat(invalid.getReason()).isNotBlank();
                });
    }

    private static Throwable rootCause(Throwable failure) {
        assertThat(failure).as("startup failure").isNotNull();
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof InvalidConfigurationPropertyValueException)) {
            cause = cause.getCause();
        }
        return cause;
    }
}
