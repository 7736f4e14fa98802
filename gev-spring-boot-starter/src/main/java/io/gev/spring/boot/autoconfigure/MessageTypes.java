package io.gev.spring.boot.autoconfigure;

import io.gev.Handler;
import io.gev.protocol.Protocol;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.ResolvableType;

/**
 * The message types of {@link Handler} and {@link Protocol} beans: the {@code M} of a
 * {@code Handler<M>} (what it takes) or of a {@code Protocol<M>} (what it decodes).
 *
 * <p>The type is read from the bean's definition first, which for a {@code @Bean} method is its
 * declared return type: a lambda's own class carries no type arguments, but
 * {@code Handler<ByteBuffer> echo()} does. The bean's class is the fallback, for a
 * {@code class ChatHandler implements Handler<Message>} registered without a factory method.
 */
final class MessageTypes {

    private final ListableBeanFactory beanFactory;

    MessageTypes(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    /** What the handler bean {@code name} takes, or {@code null} when its type does not say (a raw Handler). */
    Class<?> handled(String name) {
        return of(name, Handler.class);
    }

    /** What the protocol bean {@code name} decodes, or {@code null} when its type does not say. */
    Class<?> decoded(String name) {
        return of(name, Protocol.class);
    }

    /**
     * Whether a handler taking {@code handled} can be given what a protocol decoding
     * {@code decoded} yields; an unknown type (null) on either side cannot be checked and is let
     * through, as the compiler lets a raw type through.
     */
    static boolean accepts(Class<?> handled, Class<?> decoded) {
        return handled == null || decoded == null || handled.isAssignableFrom(decoded);
    }

    /** A type for messages: its name, or a note that the declaration does not say. */
    static String describe(Class<?> type) {
        return type == null ? "an undeclared type" : type.getName();
    }

    private Class<?> of(String name, Class<?> generic) {
        Class<?> declared = argument(declaredType(name), generic);
        if (declared != null) {
            return declared;
        }
        Class<?> beanClass = this.beanFactory.getType(name);
        return beanClass == null ? null : argument(ResolvableType.forClass(beanClass), generic);
    }

    private ResolvableType declaredType(String name) {
        if (this.beanFactory instanceof ConfigurableListableBeanFactory configurable
                && configurable.containsBeanDefinition(name)) {
            return configurable.getMergedBeanDefinition(name).getResolvableType();
        }
        return ResolvableType.NONE;
    }

    /**
     * The type argument of {@code generic} in {@code type}; {@code null} for a raw type, an
     * unbounded wildcard or a type variable. {@code Handler<? super Message>} takes Message.
     */
    private static Class<?> argument(ResolvableType type, Class<?> generic) {
        return type.as(generic).getGeneric(0).resolve();
    }
}
