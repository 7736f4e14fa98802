package io.gev.loop;

/** The I/O layer under the event loops. */
public enum Transport {

    /** {@link #EPOLL} where Netty's native epoll library loads, {@link #NIO} elsewhere. */
    AUTO,
    /** Linux epoll through {@code netty-transport-native-epoll}. */
    EPOLL,
    /** The JDK's selector, on any platform. */
    NIO
}
