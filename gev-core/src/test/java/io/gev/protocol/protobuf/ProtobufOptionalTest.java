package io.gev.protocol.protobuf;

import com.google.protobuf.Message;
import io.gev.loop.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protobuf-java is optional: gev-core's servers and other protocols run without it.
 *
 * <p>Only on NIO: Netty's native epoll library must not be loaded by a second class loader in a
 * JVM whose application loader uses it already; with Netty 4.2.15 every later epoll server of the
 * test run then failed with {@code UnsatisfiedLinkError: Native.epollCreate()}. The native jars
 * are left out of the isolated class path, so that cannot happen by accident.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtobufOptionalTest {

    @Test
    void serversAndTheOtherProtocolsRunWithoutProtobuf() throws Exception {
        Path protobufJar = Path.of(Message.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // Surefire may start the JVM from a manifest-only jar; it publishes the real class path.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        boolean removed = false;
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry);
            if (path.toAbsolutePath().equals(protobufJar.toAbsolutePath())) {
                removed = true;
            } else if (!path.getFileName().toString().matches("netty-transport-native-epoll-.*-linux-.*\\.jar")) {
                urls.add(path.toUri().toURL());
            }
        }
        assertTrue(removed, protobufJar + " is not on the class path " + classPath);

        // The platform loader as parent: nothing of the application class path is visible, so every
        // gev, Netty and test class is loaded from the URLs first (child first).
        try (URLClassLoader withoutProtobuf = new URLClassLoader(urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class,
                    () -> Class.forName(Message.class.getName(), false, withoutProtobuf));
            Class<?> echo = Class.forName(EchoWithoutProtobuf.class.getName(), true, withoutProtobuf);
            assertSame(withoutProtobuf, echo.getClassLoader());
            assertSame(withoutProtobuf, Class.forName("io.gev.Server", false, withoutProtobuf).getClassLoader());
            Callable<?> task = (Callable<?>) echo.getConstructor(String.class).newInstance(Transport.NIO.name());
            assertEquals("ok", task.call());
        }
    }
}
