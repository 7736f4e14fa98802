package io.gev.sample;

import io.gev.spring.boot.context.GevServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard page in headless Chromium: it lists every server with its settings, and its load
 * button opens WebSocket connections that the page and the server both count, then closes them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "gev.servers.echo.port=0",
        "gev.servers.tls-echo.port=0", "gev.servers.length-field-demo.port=0", "gev.servers.lookup.port=0", "gev.servers.relay.port=0", "gev.servers.unix-echo.unix-socket=target/unix-echo-${random.uuid}.sock", "gev.websocket.port=0", "gev.udp.port=0",
        "gev.websocket.ssl.port=0", "gev.server.loops=1", "sample.demo-certificate=target/demo-certificate/demo.p12" })
@Timeout(120)
class DashboardBrowserTests {

    private static final int LOAD = 40;

    private final HeadlessChromium chromium = new HeadlessChromium();

    @Value("${local.server.port}")
    int httpPort;

    @Value("${local.gev.servers.echo.port}")
    int echoPort;

    @Autowired
    GevServers servers;

    @BeforeAll
    static void requireChromium() {
        HeadlessChromium.assumeInstalled();
    }

    @AfterEach
    void quit() {
        this.chromium.quitAll();
    }

    @Test
    void showsTheServersAndCountsTheConnectionsItsLoadButtonOpens() throws Exception {
        WebDriver page = this.chromium.open("http://localhost:" + this.httpPort + "/dashboard.html");
        // The page redraws its tables every second: an element found may be gone when read.
        WebDriverWait wait = new WebDriverWait(page, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        wait.until((d) -> d.findElements(By.cssSelector("#servers tr")).size() == this.servers.asMap().size());
        assertThat(text(wait, "#servers tr[data-server='echo']")).contains(String.valueOf(this.echoPort))
                .contains("RawProtocol");
        assertThat(text(wait, "#servers tr[data-server='tls-echo']")).contains("yes");
        assertThat(text(wait, "#loops")).contains("gev-");

        page.findElement(By.id("load-count")).clear();
        page.findElement(By.id("load-count")).sendKeys(String.valueOf(LOAD));
        page.findElement(By.id("load")).click();
        wait.until((d) -> d.findElement(By.id("load-state")).getText().equals(LOAD + " open"));
        // What the page shows comes from the server: its own count must rise as far.
        wait.until((d) -> websocketConnections(d) >= LOAD);
        assertThat(this.servers.get("websocket").stats().activeConnections()).isGreaterThanOrEqualTo(LOAD);
        wait.until((d) -> d.findElement(By.id("connections-legend")).getText().contains("websocket " + LOAD));
        ((JavascriptExecutor) page).executeScript("window.scrollTo(0, 0)");
        HeadlessChromium.screenshot(page, "dashboard-under-load");

        page.findElement(By.id("unload")).click();
        wait.until((d) -> websocketConnections(d) == 0);
        assertThat(text(wait, "#load-state")).isEqualTo("0 open");
    }

    private static String text(WebDriverWait wait, String selector) {
        return wait.until((d) -> d.findElement(By.cssSelector(selector)).getText());
    }

    private static int websocketConnections(WebDriver page) {
        return Integer.parseInt(page.findElement(By.cssSelector("#servers tr[data-server='websocket'] td.connections"))
                .getText());
    }
}
