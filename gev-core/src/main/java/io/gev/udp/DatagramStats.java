package io.gev.udp;

/**
 * Counters of a {@link DatagramServer} since it started: a snapshot, summed over its sockets. The
 * loops count in plain fields of their own, so a snapshot taken while datagrams flow may lag a
 * little behind.
 *
 * @param datagramsIn datagrams received and handed to the handler (or its queue)
 * @param bytesIn their bytes
 * @param datagramsOut datagrams the kernel took for sending
 * @param bytesOut their bytes
 * @param droppedOversize datagrams received larger than {@link DatagramOptions#maxDatagramSize()}, dropped unread
 * @param droppedSendQueueFull sends dropped because a socket's send queue was full
 * @param droppedBacklog datagrams dropped because the offloaded handler had too many waiting
 * @param sendFailures sends the kernel refused (no route, message too long...) and replies over the size limit
 * @param handlerFailures datagrams whose handler threw
 * @param kernelDrops datagrams the kernel dropped because a socket's receive queue was full (the
 *        loop fell behind: a handler that blocks the loop, a flood beyond what it reads), from
 *        Linux's SO_MEMINFO on epoll; -1 on NIO, which cannot tell
 * @param queuedSends datagrams waiting to be sent now
 * @param handlerBacklog datagrams waiting for an offloaded handler now
 * @param sockets sockets bound: one, or one per loop with reuse-port
 */
public record DatagramStats(long datagramsIn, long bytesIn, long datagramsOut, long bytesOut, long droppedOversize,
        long droppedSendQueueFull, long droppedBacklog, long sendFailures, long handlerFailures, long kernelDrops, long queuedSends,
        long handlerBacklog, int sockets) {
}
