package io.gev.sample;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's Chromium, headless, driven through its own chromedriver (never a downloaded one): the
 * tabs a browser test opens, all quit by {@link #quitAll()}.
 */
final class HeadlessChromium {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    private final List<WebDriver> drivers = new ArrayList<>();

    /** Skips the calling test, with the reason printed, where Chromium is not installed. */
    static void assumeInstalled() {
        assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "Skipping the browser test: /usr/bin/chromium and /usr/bin/chromedriver are not installed "
                        + "(apt-get install chromium chromium-driver; .ci/run does it)");
    }

    /** A new tab, in a browser of its own with a fresh profile, showing {@code url}. */
    WebDriver open(String url) throws IOException {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM);
        // As root, offline and headless: no sandbox, no GPU, no background calls home.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1000,900",
                "--user-data-dir=" + Files.createTempDirectory("gev-chromium-").toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        this.drivers.add(driver);
        driver.get(url);
        return driver;
    }

    /** Saves what {@code driver} shows as {@code target/screenshots/<name>.png}, a build artifact. */
    static Path screenshot(WebDriver driver, String name) throws IOException {
        Path shot = Path.of("target", "screenshots", name + ".png");
        Files.createDirectories(shot.getParent());
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), shot,
                StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(shot)).as(shot.toString()).isPositive();
        return shot;
    }

    void quitAll() {
        for (WebDriver driver : this.drivers) {
            driver.quit();
        }
        this.drivers.clear();
    }
}
