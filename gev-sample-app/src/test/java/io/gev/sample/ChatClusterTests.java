package io.gev.sample;

import io.gev.testing.RedisServer;
import io.gev.websocket.WebSocketGroups;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two sample instances with the profile "cluster" on one real redis-server: a chat line typed on
 * one reaches a client of the other, JDK clients and real browser tabs (headless Chromium) alike.
 */
@Timeout(120)
class ChatClusterTests {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() throws Exception {
        for (int i = this.resources.size() - 1; i >= 0; i--) {
            this.resources.get(i).close();
        }
    }

    private ConfigurableApplicationContext instance(RedisServer redis) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
                .profiles("cluster")
                .run("--server.port=0", "--server.address=127.0.0.1", "--gev.servers.echo.port=0",
                        "--gev.servers.tls-echo.port=0", "--gev.servers.length-field-demo.port=0",
                        "--gev.servers.lookup.port=0", "--gev.servers.relay.port=0", "--gev.websocket.port=0", "--gev.udp.port=0",
                        "--gev.servers.unix-echo.unix-socket=target/unix-echo-" + UUID.randomUUID() + ".sock",
                        "--gev.websocket.ssl.port=0", "--gev.server.loops=1", "--sample.heartbeat-interval=200ms",
                        "--sample.demo-certificate=target/demo-certificate/demo.p12",
                        "--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
                        "--gev.cluster.probe-interval=100ms");
        this.resources.add(context);
        return context;
    }

    /** Two instances on one new redis-server, each with its broker reachable. */
    private List<ConfigurableApplicationContext> twoInstances() throws Exception {
        RedisServer redis = RedisServer.start();
        this.resources.add(redis);
        List<ConfigurableApplicationContext> instances = List.of(instance(redis), instance(redis));
        for (ConfigurableApplicationContext context : instances) {
            WebSocketGroups groups = context.getBean(WebSocketGroups.class);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(groups::isBrokerAvailable);
        }
        return instances;
    }

    @Test
    void aChatLineTypedOnOneInstanceReachesAClientOfTheOther() throws Exception {
        List<ConfigurableApplicationContext> instances = twoInstances();
        ConfigurableApplicationContext one = instances.get(0);
        ConfigurableApplicationContext two = instances.get(1);

        Client alice = new Client(one, "/chat?name=alice");
        alice.next((m) -> m.contains("alice joined"));
        Client bob = new Client(two, "/chat?name=bob");
        assertThat(alice.next((m) -> m.contains("\"notice\""))).as("a join on the other instance").contains("bob joined");

        alice.socket.sendText("hi bob", true);
        assertThat(bob.next((m) -> m.contains("\"message\"")))
                .isEqualTo("{\"type\":\"message\",\"from\":\"alice\",\"text\":\"hi bob\"}");
        bob.socket.sendText("hi alice", true);
        assertThat(alice.next((m) -> m.contains("\"from\":\"bob\"")))
                .isEqualTo("{\"type\":\"message\",\"from\":\"bob\",\"text\":\"hi alice\"}");
        assertThat(bob.next((m) -> m.contains("\"heartbeat\""))).as("each instance counts its own members")
                .contains("\"members\":1");

        String health = get(two, "/actuator/health");
        assertThat(JsonMapper.builder().build().readTree(health).path("components").path("gevCluster")
                .path("status").asString()).isEqualTo("UP");
        bob.socket.sendClose(1000, "bye").join();
        assertThat(alice.next((m) -> m.contains("\"notice\""))).contains("bob left");
    }

    @Test
    void aLineTypedInABrowserOnOneInstanceShowsInABrowserOnTheOther() throws Exception {
        HeadlessChromium.assumeInstalled();
        List<ConfigurableApplicationContext> instances = twoInstances();
        ConfigurableApplicationContext one = instances.get(0);
        ConfigurableApplicationContext two = instances.get(1);
        HeadlessChromium chromium = new HeadlessChromium();
        this.resources.add(chromium::quitAll);
        WebDriver alice = openPage(chromium, one, "alice");
        WebDriver bob = openPage(chromium, two, "bob");
        new WebDriverWait(alice, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "bob joined"));
        alice.findElement(By.id("text")).sendKeys("hello across instances");
        alice.findElement(By.cssSelector("#send button")).click();
        new WebDriverWait(bob, Duration.ofSeconds(20)).until(ExpectedConditions
                .textToBePresentInElementLocated(By.id("messages"), "alice: hello across instances"));
        HeadlessChromium.screenshot(bob, "chat-cluster-bob");
    }

    /** The chat page of {@code context}'s instance, once its WebSocket is open there. */
    private static WebDriver openPage(HeadlessChromium chromium, ConfigurableApplicationContext context, String name)
            throws Exception {
        int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        WebDriver driver = chromium.open("http://127.0.0.1:" + port + "/?name=" + name);
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(ExpectedConditions.textToBe(By.id("state"), "connected"));
        return driver;
    }

    private String get(ConfigurableApplicationContext context, String path) throws Exception {
        int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A client of one instance's WebSocket server, closed after the test. */
    private final class Client extends TextClient {

        Client(ConfigurableApplicationContext context, String pathAndQuery) throws Exception {
            super(ChatClusterTests.this.http, URI.create("ws://127.0.0.1:"
                    + context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class) + pathAndQuery));
            ChatClusterTests.this.resources.add(this.socket::abort);
        }
    }
}
