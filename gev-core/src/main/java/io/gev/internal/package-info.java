/**
 * gev's implementation, in four sub-packages: {@code engine} (the server's engine, its loops and
 * the connection path they run), {@code transport} (sockets and listening sockets on epoll and
 * NIO), {@code tls} and {@code watchdog}. Nothing under {@code io.gev.internal} is API: it may
 * change in any release.
 */
package io.gev.internal;
