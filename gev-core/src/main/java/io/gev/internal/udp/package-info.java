/** The datagram sockets behind {@code io.gev.udp.DatagramServer}, on epoll and on NIO. */
package io.gev.internal.udp;
