/** Sockets and listening sockets on Netty's epoll and NIO handles, which tell a connection what happens through {@link io.gev.internal.transport.ConnectionEvents}; not API. */
package io.gev.internal.transport;
