package io.gev.internal.watchdog;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogThrottleTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void letsOneReportThroughPerPeriodAndCountsTheOthers() {
        LogThrottle throttle = new LogThrottle(SECOND);
        long t = 123_456_789L; // any nanoTime origin, even a negative one, works: only differences count
        assertEquals(0, throttle.tryReport(t), "the first error is reported");
        for (int i = 1; i <= 1000; i++) {
            assertEquals(-1, throttle.tryReport(t + i * 999_000L), "error " + i + " within the second is held");
        }
        assertEquals(1000, throttle.tryReport(t + SECOND), "a second later: reported, with the count held back");
        assertEquals(-1, throttle.tryReport(t + SECOND + SECOND - 1));
        assertEquals(1, throttle.tryReport(t + 3 * SECOND));
        assertEquals(0, throttle.tryReport(t + 10 * SECOND), "nothing held since the last report");
    }

    @Test
    void worksAcrossTheSignChangeOfNanoTime() {
        LogThrottle throttle = new LogThrottle(SECOND);
        assertEquals(0, throttle.tryReport(Long.MAX_VALUE - 10));
        assertEquals(-1, throttle.tryReport(Long.MIN_VALUE + 10), "20 ns later, across the overflow");
        assertEquals(1, throttle.tryReport(Long.MAX_VALUE - 10 + SECOND));
    }

    @Test
    void rejectsAPeriodThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> new LogThrottle(0));
    }
}
