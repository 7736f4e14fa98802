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
    void letsABurstThroughPerPeriodAndHandsTheHeldCountToASummary() {
        LogThrottle throttle = new LogThrottle(SECOND, 3);
        long t = -987_654_321L;
        assertEquals(SECOND, throttle.nanosLeft(t), "no period yet: a whole one");
        for (int i = 0; i < 3; i++) {
            assertEquals(0, throttle.tryReport(t + i), "report " + i + " of the burst");
        }
        for (int i = 0; i < 500; i++) {
            assertEquals(-1, throttle.tryReport(t + 1000 + i), "past the burst: held");
        }
        assertEquals(SECOND - 400_000_000L, throttle.nanosLeft(t + 400_000_000L));
        assertEquals(500, throttle.takeHeld(), "the summary takes what was held");
        assertEquals(0, throttle.takeHeld(), "and counting starts again");
        assertEquals(-1, throttle.tryReport(t + SECOND - 1), "still the same period, still past its burst");
        assertEquals(0, throttle.nanosLeft(t + 5 * SECOND), "the period is over");
        assertEquals(1, throttle.tryReport(t + SECOND), "a new period: reported, with what no summary took");
        assertEquals(0, throttle.tryReport(t + SECOND + 1));
        assertEquals(0, throttle.tryReport(t + SECOND + 2));
        assertEquals(-1, throttle.tryReport(t + SECOND + 3), "the new period's burst is spent too");
    }

    @Test
    void aBurstOfZeroHoldsEveryReportForTheSummary() {
        LogThrottle throttle = new LogThrottle(SECOND, 0);
        for (int i = 0; i < 10; i++) {
            assertEquals(-1, throttle.tryReport(i * SECOND / 2));
        }
        assertEquals(10, throttle.takeHeld());
    }

    @Test
    void rejectsAPeriodThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> new LogThrottle(0));
        assertThrows(IllegalArgumentException.class, () -> new LogThrottle(-1, 1));
    }

    @Test
    void rejectsANegativeBurst() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LogThrottle(SECOND, -1));
        assertEquals("burst must be >= 0: -1", e.getMessage());
    }
}
