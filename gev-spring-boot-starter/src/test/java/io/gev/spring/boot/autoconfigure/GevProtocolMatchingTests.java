package io.gev.spring.boot.autoconfigure;

import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.buffer.RingBuffer;
import io.gev.protocol.Frame;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import io.gev.protocol.protobuf.ProtobufProtocol;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.testing.Clients;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the auto-configuration gives each handler bean the protocol bean whose messages it takes,
 * by the type arguments the beans are declared with, over real sockets.
 */
class GevProtocolMatchingTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.address=127.0.0.1");

    @Test
    void aTypedHandlerGetsTheProtocolBeanThatDecodesItsMessages() {
        this.runner.withUserConfiguration(ProtobufHandlerConfiguration.class, ProtobufProtocolConfiguration.class,
                FramesProtocolConfiguration.class).run((context) -> {
                    assertThat(context).hasNotFailed();
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    byte[] reply = frame(StringValue.of("SHOUT"));
                    assertThat(Clients.exchange(port, frame(StringValue.of("shout")), reply.length)).isEqualTo(reply);
                });
    }

    @Test
    void ofSeveralProtocolBeansTheOneWhoseMessagesTheHandlerTakesIsChosen() {
        this.runner.withUserConfiguration(TextHandlerConfiguration.class, TextProtocolConfiguration.class,
                FramesProtocolConfiguration.class, ProtobufProtocolConfiguration.class).run((context) -> {
                    assertThat(context).hasNotFailed();
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.echo(port, "hello\n")).isEqualTo("HELLO\n");
                });
    }

    @Test
    void aNamedProtocolWhoseMessagesTheHandlerCannotTakeFailsStartup() {
        this.runner.withUserConfiguration(TextHandlerConfiguration.class, TextProtocolConfiguration.class,
                FramesProtocolConfiguration.class).withPropertyValues("gev.server.protocol=frames")
                .run((context) -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(GevServerConfigurationException.class)
                            .hasMessage("gev server 'shout' is configured with protocol bean 'frames' "
                                    + "(gev.server.protocol), which decodes java.nio.ByteBuffer, but handler bean "
                                    + "'shout' takes java.lang.String.")
                            .satisfies((e) -> assertThat(((GevServerConfigurationException) e).action())
                                    .isEqualTo("Set gev.server.protocol to a Protocol bean that decodes "
                                            + "java.lang.String (Protocol beans: [lines (java.lang.String), "
                                            + "frames (java.nio.ByteBuffer)]), or make 'shout' a Handler<ByteBuffer>."));
                });
        this.runner.withUserConfiguration(TextHandlerConfiguration.class).withPropertyValues("gev.server.protocol=raw")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(GevServerConfigurationException.class)
                        .hasMessageContaining("protocol 'raw' (RawProtocol)")
                        .hasMessageContaining("java.nio.ByteBuffer").hasMessageContaining("java.lang.String"));
    }

    @Test
    void aBytesHandlerWithoutAByteProtocolBeanGetsRaw() {
        this.runner.withUserConfiguration(BytesHandlerConfiguration.class, TextProtocolConfiguration.class,
                ProtobufProtocolConfiguration.class).run((context) -> {
                    assertThat(context).hasNotFailed();
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    // Neither a line nor a protobuf frame: raw hands the bytes over as they came.
                    assertThat(Clients.echo(port, "no line end")).isEqualTo("no line end");
                });
    }

    @Test
    void aTypedHandlerWhoseMessagesNoProtocolBeanDecodesFailsStartup() {
        this.runner.withUserConfiguration(TextHandlerConfiguration.class, FramesProtocolConfiguration.class)
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(GevServerConfigurationException.class)
                        .hasMessage("gev server 'shout': handler bean 'shout' takes java.lang.String, but no "
                                + "Protocol bean decodes it (Protocol beans: [frames (java.nio.ByteBuffer)]) and raw "
                                + "decodes java.nio.ByteBuffer."));
    }

    @Test
    void typedHandlersOfSeveralServersEachGetTheirOwnProtocol() {
        this.runner.withUserConfiguration(ProtobufHandlerConfiguration.class, BytesHandlerConfiguration.class,
                ProtobufProtocolConfiguration.class)
                .withPropertyValues("gev.servers.upper.port=0", "gev.servers.echo.port=0").run((context) -> {
                    assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("upper", "echo");
                    int upper = context.getEnvironment().getProperty("local.gev.servers.upper.port", Integer.class);
                    int echo = context.getEnvironment().getProperty("local.gev.servers.echo.port", Integer.class);
                    byte[] reply = frame(StringValue.of("ABC"));
                    assertThat(Clients.exchange(upper, frame(StringValue.of("abc")), reply.length)).isEqualTo(reply);
                    assertThat(Clients.echo(echo, "abc")).isEqualTo("abc");
                });
    }

    @Test
    void aLambdaHandlerBeanIsTypedByItsFactoryMethod() {
        this.runner.withUserConfiguration(TextHandlerConfiguration.class, TextProtocolConfiguration.class)
                .run((context) -> {
                    Handler<?> shout = context.getBean("shout", Handler.class);
                    // The lambda's own class says nothing of String: the bean definition does.
                    assertThat(ResolvableType.forClass(shout.getClass()).as(Handler.class).getGeneric(0).resolve())
                            .isNull();
                    ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
                    assertThat(new MessageTypes(beanFactory).handled("shout")).isEqualTo(String.class);
                    assertThat(new MessageTypes(beanFactory).decoded("lines")).isEqualTo(String.class);
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.echo(port, "lambda\n")).isEqualTo("LAMBDA\n");
                });
    }

    @Test
    void aHandlerOfALowerBoundTakesThatBound() {
        this.runner.withUserConfiguration(LowerBoundHandlerConfiguration.class, TextProtocolConfiguration.class,
                FramesProtocolConfiguration.class).run((context) -> {
                    assertThat(new MessageTypes(context.getBeanFactory()).handled("anyText")).isEqualTo(String.class);
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.echo(port, "as is\n")).isEqualTo("as is\n");
                });
    }

    /** A protobuf frame as ProtobufProtocol writes it: lengths, the type's full name, the message. */
    private static byte[] frame(Message message) {
        byte[] name = message.getDescriptorForType().getFullName().getBytes(StandardCharsets.UTF_8);
        byte[] body = message.toByteArray();
        return ByteBuffer.allocate(6 + name.length + body.length).putInt(2 + name.length + body.length)
                .putShort((short) name.length).put(name).put(body).array();
    }

    /** Lines of UTF-8 text decoded to Strings; packs a CharSequence and a line end. */
    static final class TextLines implements Protocol<String> {

        @Override
        public boolean unpack(Connection connection, RingBuffer in, Frame<String> frame) {
            int end = in.indexOf((byte) '\n');
            if (end < 0) {
                if (in.length() > 1024) {
                    throw new ProtocolException("no line end within 1024 bytes");
                }
                return false;
            }
            String line = new String(in.readBytes(end), StandardCharsets.UTF_8);
            in.retrieve(1);
            frame.set(null, line);
            return true;
        }

        @Override
        public void pack(Connection connection, Object message, RingBuffer out) {
            if (!(message instanceof CharSequence text)) {
                throw Protocol.cannotPack(message, "CharSequence");
            }
            out.writeString(text, StandardCharsets.UTF_8);
            out.writeByte('\n');
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TextHandlerConfiguration {

        @Bean
        Handler<String> shout() {
            return (connection, context, line) -> line.toUpperCase(Locale.ROOT);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class LowerBoundHandlerConfiguration {

        @Bean
        Handler<? super String> anyText() {
            return (connection, context, text) -> text.toString();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BytesHandlerConfiguration {

        @Bean
        Handler<ByteBuffer> echo() {
            return (connection, context, payload) -> payload;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ProtobufHandlerConfiguration {

        @Bean
        Handler<Message> upper() {
            return (connection, typeName, message) -> message instanceof StringValue text
                    ? StringValue.of(text.getValue().toUpperCase(Locale.ROOT)) : message;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TextProtocolConfiguration {

        @Bean
        TextLines lines() {
            return new TextLines();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FramesProtocolConfiguration {

        @Bean
        LengthFieldProtocol frames() {
            return LengthFieldProtocol.builder().build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ProtobufProtocolConfiguration {

        @Bean
        ProtobufProtocol protobuf() {
            return ProtobufProtocol.builder().register(StringValue.getDefaultInstance()).build();
        }
    }
}
