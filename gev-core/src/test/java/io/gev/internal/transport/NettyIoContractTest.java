package io.gev.internal.transport;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.nio.NioIoEvent;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.nio.NioIoOps;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Pins the behaviour of Netty 4.2's {@code IoHandle} API that gev's transports rely on (see
 * {@code EpollSocketIo}, {@code EpollListeningSocket}, {@code NioSocketIo}). The semantics of
 * {@code submit} changed between 4.2.8 and 4.2.15; if a Netty upgrade changes them again, these
 * tests fail and the transports must be revisited.
 *
 * <p>"Nothing fired" is measured in event-loop rounds, not time: a level-triggered "probe" handle
 * on a readable pipe fires once per {@code epoll_wait}/{@code select}, so after the probe fired a
 * few more times any ready handle in the interest set would have fired too.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyIoContractTest {

    private static final long WAIT_MILLIS = 5_000;
    private static final int EPOLLIN = 0x1;
    private static final int EPOLLHUP = 0x10;
    private static final int ENOENT = 2; // Linux errno

    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;
    private final List<Closeable> resources = new ArrayList<>();

    @AfterEach
    void shutdown() throws Exception {
        try {
            if (group != null) {
                assertTrue(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS),
                        "event loop group did not terminate");
            }
        } finally {
            for (Closeable c : resources) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }

    // ---- epoll ------------------------------------------------------------------------------

    @Test
    void epollNothingFiresBeforeFirstSubmit() throws Exception {
        startEpoll();
        FileDescriptor[] pipe = pipe();
        writeByte(pipe[1]);
        EpollHandle handle = new EpollHandle(pipe[0]);
        IoRegistration reg = register(handle);
        assertTrue(handle.registeredCalled.await(WAIT_MILLIS, TimeUnit.MILLISECONDS), "registered() not called");
        // A hung-up fd reports EPOLLHUP whatever the mask: it fires only if register() itself added it
        // to epoll (4.2.8 did, with EPOLLERR; 4.2.15 adds lazily on the first submit).
        FileDescriptor[] hungUp = pipe();
        hungUp[1].close();
        EpollHandle hup = new EpollHandle(hungUp[0]);
        register(hup);

        EpollHandle probe = readableEpollProbe();
        awaitRounds(probe, 5);
        assertEquals(0, handle.count(), "a readable fd fired before the first submit");
        assertEquals(0, hup.count(), "a hung-up fd fired before the first submit: register() calls epoll_ctl(ADD) again");

        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN));
        handle.awaitCount(1);
    }

    @Test
    void epollReadableFdFiresOnLoopThreadAfterSubmit() throws Exception {
        startEpoll();
        Thread loopThread = onLoop(Thread::currentThread);
        FileDescriptor[] pipe = pipe();
        EpollHandle handle = new EpollHandle(pipe[0]);
        handle.drain = true;
        IoRegistration reg = register(handle);
        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN));
        assertEquals(0, handle.count());

        writeByte(pipe[1]);
        handle.awaitCount(1);
        assertSame(loopThread, handle.lastThread, "handle() ran off the loop thread");
        assertTrue(handle.inEventLoop, "inEventLoop() false inside handle()");
        assertTrue((handle.lastOps & EPOLLIN) != 0, "EPOLLIN missing from ops 0x" + Integer.toHexString(handle.lastOps));
        assertTrue(handle.bytesRead >= 1, "the handle could not read the byte");
        assertTrue(reg.isValid());
    }

    @Test
    void epollIsLevelTriggeredWithoutEpollet() throws Exception {
        startEpoll();
        FileDescriptor[] pipe = pipe();
        EpollHandle handle = new EpollHandle(pipe[0]);
        IoRegistration reg = register(handle);
        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN));
        writeByte(pipe[1]);
        // Never read: a level-triggered registration reports the byte again on every round.
        handle.awaitCount(3);
        assertFalse(EpollIoOps.EPOLLIN.contains(EpollIoOps.EPOLLET), "EPOLLIN must not imply EPOLLET");
    }

    @Test
    void epollEdgeTriggeredFiresOnceWithEpollet() throws Exception {
        startEpoll();
        FileDescriptor[] pipe = pipe();
        EpollHandle handle = new EpollHandle(pipe[0]);
        IoRegistration reg = register(handle);
        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLET)));
        writeByte(pipe[1]);
        handle.awaitCount(1);
        EpollHandle probe = readableEpollProbe();
        awaitRounds(probe, 5);
        assertEquals(1, handle.count(), "EPOLLET no longer reaches epoll_ctl unchanged");
    }

    @Test
    void epollSubmitAfterNoneThrowsEnoent() throws Exception {
        startEpoll();
        FileDescriptor[] pipe = pipe();
        EpollHandle handle = new EpollHandle(pipe[0]);
        IoRegistration reg = register(handle);
        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN)); // EPOLL_CTL_ADD
        onLoop(() -> reg.submit(EpollIoOps.NONE));    // EPOLL_CTL_DEL, state stays "added"

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> onLoop(() -> reg.submit(EpollIoOps.EPOLLIN)),
                "submit after submit(NONE) succeeded: Netty fixed the NONE->DEL state bug; gev's EPOLLERR "
                        + "idle mask is still correct but could be revisited");
        UncheckedIOException u = assertInstanceOf(UncheckedIOException.class, e.getCause(), String.valueOf(e.getCause()));
        Errors.NativeIoException nativeError = assertInstanceOf(Errors.NativeIoException.class, u.getCause(),
                String.valueOf(u.getCause()));
        assertEquals(-ENOENT, nativeError.expectedErr(), "expected ENOENT from epoll_ctl(MOD): " + nativeError);
        assertTrue(String.valueOf(nativeError.getMessage()).contains("epoll_ctl"), nativeError.getMessage());
    }

    @Test
    void epollErrIsAUsableIdleMask() throws Exception {
        startEpoll();
        FileDescriptor[] pipe = pipe();
        EpollHandle handle = new EpollHandle(pipe[0]);
        IoRegistration reg = register(handle);
        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN));  // ADD
        onLoop(() -> reg.submit(EpollIoOps.EPOLLERR)); // MOD to "idle", as gev does
        writeByte(pipe[1]);

        EpollHandle probe = readableEpollProbe();
        awaitRounds(probe, 5);
        assertEquals(0, handle.count(), "a readable fd fired with the EPOLLERR-only idle mask");

        long result = onLoop(() -> reg.submit(EpollIoOps.EPOLLIN)); // MOD back: must not throw
        assertNotEquals(-1L, result, "submit reported a cancelled registration");
        handle.awaitCount(1);
        assertTrue((handle.lastOps & EPOLLIN) != 0);
    }

    @Test
    void epollCancelDoesNotCloseTheFd() throws Exception {
        startEpoll();
        FileDescriptor[] pipe = pipe();
        EpollHandle handle = new EpollHandle(pipe[0]);
        IoRegistration reg = register(handle);
        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN));

        assertTrue(onLoop(reg::cancel), "cancel() returned false");
        assertTrue(handle.unregisteredCalled.await(WAIT_MILLIS, TimeUnit.MILLISECONDS), "unregistered() not called");
        assertFalse(reg.isValid());
        assertTrue(pipe[0].isOpen(), "cancel() closed the fd");
        assertEquals(0, handle.closeCalls, "cancel() called IoHandle.close()");

        // The fd still works and is no longer watched.
        writeByte(pipe[1]);
        EpollHandle probe = readableEpollProbe();
        awaitRounds(probe, 5);
        assertEquals(0, handle.count(), "a cancelled registration still fired");
        ByteBuffer buf = ByteBuffer.allocateDirect(16);
        assertEquals(1, pipe[0].read(buf, 0, buf.capacity()));
        assertEquals(-1L, (long) onLoop(() -> reg.submit(EpollIoOps.EPOLLIN)), "submit on a cancelled registration");
    }

    @Test
    void epollHupBitArrivesWhenWriteEndCloses() throws Exception {
        startEpoll();
        FileDescriptor[] pipe = pipe();
        EpollHandle handle = new EpollHandle(pipe[0]);
        handle.drain = true;
        IoRegistration reg = register(handle);
        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN));
        pipe[1].close();
        handle.awaitOps(EPOLLHUP);
        assertTrue((handle.seenOps & EPOLLHUP) != 0,
                "EPOLLHUP (0x10) missing from ops 0x" + Integer.toHexString(handle.seenOps));
        for (EpollIoOps named : new EpollIoOps[] {EpollIoOps.EPOLLIN, EpollIoOps.EPOLLOUT, EpollIoOps.EPOLLERR,
                EpollIoOps.EPOLLRDHUP, EpollIoOps.EPOLLET}) {
            assertNotEquals(EPOLLHUP, named.value(), "Netty now has a constant for EPOLLHUP: " + named);
        }
    }

    @Test
    void epollOpsValuesMatchGevConstants() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "native epoll unavailable: " + Epoll.unavailabilityCause());
        assertEquals(EpollSocketIo.EPOLLIN, EpollIoOps.EPOLLIN.value());
        assertEquals(EpollSocketIo.EPOLLOUT, EpollIoOps.EPOLLOUT.value());
        assertEquals(EpollSocketIo.EPOLLERR, EpollIoOps.EPOLLERR.value());
        assertEquals(EpollSocketIo.EPOLLRDHUP, EpollIoOps.EPOLLRDHUP.value());
        assertEquals(0, EpollIoOps.NONE.value());
        assertEquals(EpollIoOps.EPOLLIN.value() | EpollIoOps.EPOLLRDHUP.value(),
                EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP).value(), "with() must OR the masks");
    }

    // ---- NIO --------------------------------------------------------------------------------

    @Test
    void nioRegistrationIsLiveAfterSubmitAndNoneIsSafe() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        Pipe pipe = Pipe.open();
        resources.add(pipe.source());
        resources.add(pipe.sink());
        pipe.source().configureBlocking(false);
        NioHandle handle = new NioHandle(pipe.source());
        IoRegistration reg = register(handle);

        onLoop(() -> reg.submit(NioIoOps.READ));
        assertEquals(1, pipe.sink().write(ByteBuffer.wrap(new byte[] {42})));
        handle.awaitCount(1);
        assertTrue((handle.lastOps & NioIoOps.READ.value()) != 0,
                "READ missing from ready ops 0x" + Integer.toHexString(handle.lastOps));

        // NONE only clears the interest set: it must neither throw nor break a later submit.
        onLoop(() -> reg.submit(NioIoOps.NONE));
        int afterNone = handle.count();
        Pipe probePipe = Pipe.open();
        resources.add(probePipe.source());
        resources.add(probePipe.sink());
        probePipe.source().configureBlocking(false);
        probePipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        NioHandle probe = new NioHandle(probePipe.source());
        IoRegistration probeReg = register(probe);
        onLoop(() -> probeReg.submit(NioIoOps.READ));
        awaitRounds(probe, 5);
        assertEquals(afterNone, handle.count(), "the channel fired with interest NONE");

        onLoop(() -> reg.submit(NioIoOps.READ));
        handle.awaitCount(afterNone + 1);
        assertTrue(reg.isValid());
        assertTrue(onLoop(reg::cancel));
        assertTrue(pipe.source().isOpen(), "NIO cancel() closed the channel");
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void startEpoll() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "native epoll unavailable: " + Epoll.unavailabilityCause());
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = group.next();
    }

    private FileDescriptor[] pipe() throws IOException {
        FileDescriptor[] fds = FileDescriptor.pipe();
        resources.add(fds[0]::close);
        resources.add(fds[1]::close);
        return fds;
    }

    private static void writeByte(FileDescriptor fd) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(1);
        b.put(0, (byte) 7);
        assertEquals(1, fd.write(b, 0, 1));
    }

    private IoRegistration register(IoHandle handle) throws Exception {
        IoRegistration reg = loop.register(handle).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(reg);
        return reg;
    }

    /** A level-triggered handle on a readable pipe that is never read: it fires every loop round. */
    private EpollHandle readableEpollProbe() throws Exception {
        FileDescriptor[] pipe = pipe();
        writeByte(pipe[1]);
        EpollHandle probe = new EpollHandle(pipe[0]);
        IoRegistration reg = register(probe);
        onLoop(() -> reg.submit(EpollIoOps.EPOLLIN));
        return probe;
    }

    /** Waits until {@code probe} fired {@code rounds} more times, i.e. that many more epoll_wait/select rounds ran. */
    private static void awaitRounds(CountingHandle probe, int rounds) throws InterruptedException {
        probe.awaitCount(probe.count() + rounds);
    }

    /** Runs {@code task} on the loop thread and returns its result; its exception comes back as the cause. */
    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Counts handle() calls; never throws from handle() (that would stall the loop for a second). */
    private abstract static class CountingHandle implements IoHandle {
        final CountDownLatch registeredCalled = new CountDownLatch(1);
        final CountDownLatch unregisteredCalled = new CountDownLatch(1);
        volatile Thread lastThread;
        volatile boolean inEventLoop;
        volatile int lastOps;
        volatile int seenOps;
        volatile int closeCalls;
        private int count;

        abstract int opsOf(IoEvent event);

        void onEvent(IoRegistration registration, int ops) throws IOException {
        }

        @Override
        public final void handle(IoRegistration registration, IoEvent event) {
            try {
                int ops = opsOf(event);
                lastThread = Thread.currentThread();
                lastOps = ops;
                seenOps |= ops;
                onEvent(registration, ops);
            } catch (Throwable t) {
                lastOps = -1;
            }
            synchronized (this) {
                count++;
                notifyAll();
            }
        }

        synchronized int count() {
            return count;
        }

        synchronized void awaitCount(int expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            while (count < expected) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("handle() fired " + count + " times, expected at least " + expected + " within "
                            + WAIT_MILLIS + " ms");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        synchronized void awaitOps(int bits) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            while ((seenOps & bits) != bits) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("ops 0x" + Integer.toHexString(bits) + " never arrived (saw 0x"
                            + Integer.toHexString(seenOps) + " in " + count + " events)");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        @Override
        public void registered() {
            registeredCalled.countDown();
        }

        @Override
        public void unregistered() {
            unregisteredCalled.countDown();
        }

        @Override
        public void close() {
            // Called by Netty only when the group shuts down; the test closes the fds itself.
            closeCalls++;
        }
    }

    private final class EpollHandle extends CountingHandle implements EpollIoHandle {
        private final FileDescriptor fd;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(64);
        /** Read what is available on each event (otherwise level-triggering reports it again). */
        volatile boolean drain;
        volatile int bytesRead;

        EpollHandle(FileDescriptor fd) {
            this.fd = fd;
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        int opsOf(IoEvent event) {
            return ((EpollIoEvent) event).ops().value();
        }

        @Override
        void onEvent(IoRegistration registration, int ops) throws IOException {
            inEventLoop = loop.inEventLoop();
            if (drain && fd.isOpen()) {
                int n = fd.read(buf, 0, buf.capacity());
                if (n > 0) {
                    bytesRead += n;
                }
            }
        }
    }

    private final class NioHandle extends CountingHandle implements NioIoHandle {
        private final SelectableChannel channel;

        NioHandle(SelectableChannel channel) {
            this.channel = channel;
        }

        @Override
        public SelectableChannel selectableChannel() {
            return channel;
        }

        @Override
        int opsOf(IoEvent event) {
            return ((NioIoEvent) event).ops().value();
        }

        @Override
        void onEvent(IoRegistration registration, int ops) {
            inEventLoop = loop.inEventLoop();
        }
    }
}
