package io.gev.sample;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real browser tabs (headless Chromium) chat through gev's WebSocket server. Skipped only
 * where Chromium is not installed; {@code .ci/run} installs it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "gev.servers.echo.port=0",
        "gev.servers.tls-echo.port=0", "gev.servers.length-field-demo.port=0", "gev.servers.lookup.port=0", "gev.servers.relay.port=0", "gev.servers.unix-echo.unix-socket=target/unix-echo-${random.uuid}.sock", "gev.websocket.port=0", "gev.udp.port=0",
        "gev.websocket.ssl.port=0", "gev.server.loops=1", "sample.demo-certificate=target/demo-certificate/demo.p12" })
@Timeout(120)
class ChatPageBrowserTests {

    private final HeadlessChromium chromium = new HeadlessChromium();

    @Value("${local.server.port}")
    int httpPort;

    @BeforeAll
    static void requireChromium() {
        HeadlessChromium.assumeInstalled();
    }

    @AfterEach
    void quit() {
        this.chromium.quitAll();
    }

    private WebDriver openPage(String name) throws Exception {
        WebDriver driver = this.chromium.open("http://localhost:" + this.httpPort + "/?name=" + name);
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBe(By.id("state"), "connected"));
        return driver;
    }

    @Test
    void aMessageTypedInOneTabAppearsInTheOther() throws Exception {
        WebDriver alice = openPage("alice");
        WebDriver bob = openPage("bob");
        new WebDriverWait(alice, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "bob joined"));

        alice.findElement(By.id("text")).sendKeys("hello from alice");
        alice.findElement(By.cssSelector("#send button")).click();

        new WebDriverWait(bob, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "alice: hello from alice"));
        new WebDriverWait(bob, Duration.ofSeconds(20))
                .until(ExpectedConditions.textMatches(By.id("stats"), java.util.regex.Pattern.compile(".*websocket 2.*")));
        assertThat(bob.findElement(By.id("messages")).getText()).contains("alice: hello from alice");

        // A new nickname goes over the open connection: the room hears of it, and no one leaves.
        WebElement name = alice.findElement(By.id("name"));
        name.clear();
        name.sendKeys("alicia", Keys.TAB);
        new WebDriverWait(bob, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "alice is now alicia"));
        alice.findElement(By.id("text")).sendKeys("renamed");
        alice.findElement(By.cssSelector("#send button")).click();
        new WebDriverWait(bob, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "alicia: renamed"));
        assertThat(bob.findElement(By.id("messages")).getText()).doesNotContain("alice left");

        HeadlessChromium.screenshot(bob, "chat-bob");
    }
}
