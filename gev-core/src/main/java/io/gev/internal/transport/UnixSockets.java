package io.gev.internal.transport;

import io.gev.ServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The file side of a Unix domain socket listener, the same on every transport: the path's
 * length, a file left behind by a server that is gone, the permissions, and removing the file on
 * stop only while it is still this listener's.
 */
public final class UnixSockets {

    private static final Logger log = LoggerFactory.getLogger(UnixSockets.class);

    // <sys/stat.h>: the file type bits of st_mode, and a socket's.
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSockets() {
    }

    /**
     * {@code file} if a socket address can hold it.
     *
     * @throws IllegalArgumentException naming the path and its length otherwise
     */
    public static Path checkPath(Path file) {
        Objects.requireNonNull(file, "unixSocket");
        int bytes = file.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > ServerOptions.MAX_UNIX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException("unixSocket must be a path of 1 to " + ServerOptions.MAX_UNIX_SOCKET_PATH_BYTES
                    + " bytes, what a socket address holds: " + file + " has " + bytes);
        }
        return file;
    }

    /**
     * Makes way for binding {@code file}: nothing there is fine; a socket file nobody accepts on
     * (left by a server that crashed) is deleted; a socket somebody listens on, or a file that is
     * not a socket, stays, and binding is refused.
     *
     * @throws BindException when a process accepts on the file
     * @throws FileAlreadyExistsException when the file is no socket
     */
    static void makeWay(Path file) throws IOException {
        boolean socket;
        try {
            socket = isSocket(file);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!socket) {
            // A regular file, a directory, a link, a FIFO: somebody's, never ours to delete. (A
            // connect to a FIFO is refused as to a dead socket, so the probe below cannot tell.)
            throw new FileAlreadyExistsException(file.toString(), null,
                    "exists and is not a socket; it is left as it is");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Connecting to a local socket completes or is refused at once: no listener means refused.
            probe.connect(UnixDomainSocketAddress.of(file));
        } catch (ConnectException e) {
            Files.deleteIfExists(file);
            log.info("Replaced the socket file {}: nothing accepted on it (left by a server that is gone)", file);
            return;
        }
        throw new BindException("Address already in use: another process accepts on " + file);
    }

    /** Whether {@code file} itself (not what a link points to) is a socket. */
    private static boolean isSocket(Path file) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException e) {
            // No "unix" attribute view: "other" is the nearest the basic view tells.
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        }
    }

    /** What a transport does once its socket is bound: listen, where that is a step of its own, and wrap it. */
    @FunctionalInterface
    interface Listen<L extends ListeningSocket> {
        L listen() throws IOException;
    }

    /**
     * Gives the just bound {@code file} the options' permissions, then has {@code listen} make the
     * listener, which removes the file when it closes; the file is removed at once if either fails.
     */
    static <L extends ListeningSocket> L bound(Path file, ServerOptions options, Listen<L> listen) throws IOException {
        try {
            Files.setPosixFilePermissions(file, options.unixSocketPermissions());
            L listener = listen.listen();
            listener.removesOnClose(file);
            return listener;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** What identifies the file bound at {@code file} (device and inode), to tell it from a successor's. */
    static Object identity(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /**
     * Removes {@code file} after its listener closed, unless it is no longer the file that
     * listener bound ({@code identity}): another server may have replaced it since. Never throws.
     */
    static void remove(Path file, Object identity) {
        try {
            Object now = identity(file);
            if (identity != null && !identity.equals(now)) {
                log.debug("Left the socket file {}: another server bound it since", file);
                return;
            }
            Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            // Somebody removed it already.
        } catch (IOException e) {
            log.warn("Could not remove the socket file {}: {}", file, e.toString());
        }
    }
}
