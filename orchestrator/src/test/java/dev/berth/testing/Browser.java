package dev.berth.testing;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import static java.util.Objects.requireNonNull;

/**
 * A real browser for tests of berth's pages: Debian's headless Chromium driven through its
 * chromedriver (Selenium Manager cannot download a driver here, so both binaries are named). The
 * window is 1280×800, the size of the screenshots in the docs. What the pages log to the console is
 * kept, so a test can assert that a page raised no error.
 */
public final class Browser
        implements AutoCloseable
{
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String NETWORK_CHANGED = "net::ERR_NETWORK_CHANGED";

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver)
    {
        this.driver = requireNonNull(driver, "driver is null");
    }

    public static Browser start()
    {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: run scripts/setup-local.sh, which installs Debian's chromium and chromium-driver");
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As root in a container: no sandbox, and /tmp instead of a small /dev/shm
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(driver);
    }

    public ChromeDriver driver()
    {
        return driver;
    }

    /**
     * The console's errors (a script's exception, a resource that failed to load) since the last call,
     * but for {@code net::ERR_NETWORK_CHANGED}: Chromium drops its open connections whenever this machine's
     * network interfaces change, which they do each time Docker starts or removes a job's container. That is
     * the machine's doing, not the page's, and the pages' event streams reconnect by themselves.
     */
    public List<String> consoleErrors()
    {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !message.endsWith(NETWORK_CHANGED))
                .toList();
    }

    /** Saves what the window shows as a PNG. */
    public void screenshot(Path file)
            throws IOException
    {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close()
    {
        driver.quit();
    }
}
