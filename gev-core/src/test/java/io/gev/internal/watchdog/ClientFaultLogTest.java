package io.gev.internal.watchdog;

import io.gev.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(30)
class ClientFaultLogTest {

    private static final Pattern SUMMARY = Pattern.compile("gev server '(\\S+)': \\.\\.\\. and ([0-9,]+) more (.+) in "
            + "the last (.+) \\(each logged at DEBUG\\)");
    private static final AtomicInteger LOGGERS = new AtomicInteger();

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopLoop() {
        loop.shutdownNow();
    }

    /** A logger of its own for each test, so that lines of other tests never count. */
    private static Logger logger(String level) {
        String name = "io.gev.test.faults" + LOGGERS.incrementAndGet();
        if (level != null) {
            System.setProperty("org.slf4j.simpleLogger.log." + name, level);
        }
        return LoggerFactory.getLogger(name);
    }

    @Test
    void logsTheFirstFaultsOfAnIntervalAndSummarisesTheRest() {
        ClientFaultLog faults = new ClientFaultLog(logger(null), Level.WARN, "scanned", "protocol errors",
                Duration.ofMinutes(1), 3);
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 1000; i++) {
                faults.report(loop, "Closing connection {}: protocol error: fault #{}", i, i);
            }
            assertEquals(List.of("fault #0", "fault #1", "fault #2"), faultsIn(log.text()), log.text());
            assertTrue(log.text().contains("WARN"), log.text());
            assertEquals(List.of(), summaries(log.text()), "no summary before the interval ends");
            faults.flush();
            assertEquals(List.of("scanned|997|protocol errors|minute"), summaries(log.text()), log.text());
            faults.flush();
            assertEquals(1, summaries(log.text()).size(), "a flush with nothing held logs nothing");
        }
    }

    @Test
    void theSummaryComesByItselfWhenTheIntervalEnds() {
        ClientFaultLog faults = new ClientFaultLog(logger(null), Level.INFO, "tls", "TLS failures",
                Duration.ofMillis(300), 2);
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 50; i++) {
                faults.report(loop, "Closing connection: TLS handshake failed: fault #{}", i);
            }
            // However the 50 fell into intervals (a pause of the JVM may split them), every one is
            // either logged or summarised, and the summaries come without a flush.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (faultsIn(log.text()).size() + summarised(log.text()) != 50) {
                if (System.nanoTime() > deadline) {
                    fail("not every fault logged or summarised:\n" + log.text());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            String first = summaries(log.text()).get(0);
            assertTrue(first.startsWith("tls|") && first.endsWith("|TLS failures|300 ms"), first);
            int logged = faultsIn(log.text()).size();
            assertTrue(logged >= 2, log.text());

            // A fault after the interval is logged in full again.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(350));
            faults.report(loop, "Closing connection: TLS handshake failed: fault #{}", "late");
            assertEquals(logged + 1, faultsIn(log.text()).size(), log.text());
        }
    }

    @Test
    void anIntervalOfZeroLogsEveryFault() {
        ClientFaultLog faults = new ClientFaultLog(logger(null), Level.WARN, "open", "protocol errors",
                Duration.ZERO, 3);
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 40; i++) {
                faults.report(loop, "protocol error: fault #{}", i);
            }
            faults.flush();
            assertEquals(40, faultsIn(log.text()).size(), log.text());
            assertEquals(List.of(), summaries(log.text()));
        }
    }

    @Test
    void aLimitOfZeroLogsOnlySummaries() {
        ClientFaultLog faults = new ClientFaultLog(logger(null), Level.WARN, "quiet", "protocol errors",
                Duration.ofMinutes(5), 0);
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 1532; i++) {
                faults.report(loop, "protocol error: fault #{}", i);
            }
            faults.flush();
            assertEquals(List.of(), faultsIn(log.text()), log.text());
            assertEquals(List.of("quiet|1,532|protocol errors|5 minutes"), summaries(log.text()));
        }
    }

    @Test
    void faultsHeldBackAreLoggedInFullAtDebug() {
        ClientFaultLog faults = new ClientFaultLog(logger("debug"), Level.WARN, "debugged", "protocol errors",
                Duration.ofMinutes(1), 1);
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 5; i++) {
                faults.report(loop, "Closing Connection[id={}]: protocol error: fault #{}", i, i);
            }
            List<String> lines = linesWith(log.text(), "fault #");
            assertEquals(5, lines.size(), log.text());
            assertTrue(lines.get(0).contains(" WARN ") && lines.get(0).contains("Connection[id=0]"), lines.get(0));
            for (int i = 1; i < 5; i++) {
                assertTrue(lines.get(i).contains(" DEBUG ") && lines.get(i).contains("Connection[id=" + i + "]"),
                        lines.get(i));
            }
        }
    }

    @Test
    void aLoopThatShutDownLeavesTheSummaryToTheFlush() {
        ClientFaultLog faults = new ClientFaultLog(logger(null), Level.WARN, "stopping", "protocol errors",
                Duration.ofSeconds(30), 1);
        loop.shutdown();
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 3; i++) {
                faults.report(loop, "protocol error: fault #{}", i);
            }
            faults.flush();
            assertEquals(List.of("fault #0"), faultsIn(log.text()));
            assertEquals(List.of("stopping|2|protocol errors|30 seconds"), summaries(log.text()));
        }
    }

    @Test
    void describesTheIntervalAsPeopleSayIt() {
        assertEquals("minute", ClientFaultLog.describe(Duration.ofMinutes(1)));
        assertEquals("90 minutes", ClientFaultLog.describe(Duration.ofMinutes(90)));
        assertEquals("second", ClientFaultLog.describe(Duration.ofSeconds(1)));
        assertEquals("90 seconds", ClientFaultLog.describe(Duration.ofSeconds(90)));
        assertEquals("1500 ms", ClientFaultLog.describe(Duration.ofMillis(1500)));
        assertEquals("250 ns", ClientFaultLog.describe(Duration.ofNanos(250)));
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static List<String> linesWith(String text, String fragment) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.contains(fragment)) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The "fault #n" of every fault logged in full at WARN or INFO. */
    private static List<String> faultsIn(String text) {
        List<String> faults = new ArrayList<>();
        for (String line : linesWith(text, "fault #")) {
            if (!line.contains(" DEBUG ")) {
                faults.add(line.substring(line.indexOf("fault #")));
            }
        }
        return faults;
    }

    /** Each summary as server|count|kind|interval. */
    private static List<String> summaries(String text) {
        List<String> summaries = new ArrayList<>();
        Matcher m = SUMMARY.matcher(text);
        while (m.find()) {
            summaries.add(m.group(1) + "|" + m.group(2) + "|" + m.group(3) + "|" + m.group(4));
        }
        return summaries;
    }

    private static int summarised(String text) {
        int sum = 0;
        Matcher m = SUMMARY.matcher(text);
        while (m.find()) {
            sum += Integer.parseInt(m.group(2).replace(",", ""));
        }
        return sum;
    }
}
