package io.gev.spring.boot.autoconfigure;

import io.gev.EventLoops;
import io.gev.loop.Transport;
import org.springframework.boot.convert.DurationUnit;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Settings of the event loops the auto-configured servers share ({@code gev.event-loops.*}): the
 * {@code gevEventLoops} bean, on which every server runs unless its {@code shared-loops} is false.
 */
public class GevEventLoopsProperties {

    /**
     * Name of the shared loops, in their threads' names: gev-<name>-<i>, gev-<name>-accept and
     * gev-<name>-watchdog.
     */
    private String name = EventLoops.DEFAULT_NAME;

    /**
     * Number of shared event loops; 0 means one per available processor.
     */
    private int count;

    /**
     * I/O layer under the shared loops: epoll where available, or the JDK's selector.
     */
    private Transport transport = Transport.AUTO;

    /**
     * Time a shared loop may spend in one handler callback or task before a warning with the loop
     * thread's stack is logged; 0 turns the watchdog off. If a duration suffix is not specified,
     * seconds will be used.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration blockedLoopWarning = Duration.ofSeconds(1);

    public String getName() {
        return this.name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public int getCount() {
        return this.count;
    }

    public void setCount(int count) {
        this.count = count;
    }

    public Transport getTransport() {
        return this.transport;
    }

    public void setTransport(Transport transport) {
        this.transport = transport;
    }

    public Duration getBlockedLoopWarning() {
        return this.blockedLoopWarning;
    }

    public void setBlockedLoopWarning(Duration blockedLoopWarning) {
        this.blockedLoopWarning = blockedLoopWarning;
    }
}
