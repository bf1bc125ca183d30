package dev.berth.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BerthConfigTest
{
    @TempDir
    Path temp;

    @Test
    void environmentOverridesTheConfigFile()
            throws IOException
    {
        Path file = Files.writeString(temp.resolve("berth.env"), """
                # the fleet's systemd EnvironmentFile
                export BERTH_PENDING_CAP=16
                BERTH_POLL_INTERVAL="250ms"
                BERTH_DEFAULT_IMAGE=org/job:1
                """);
        BerthConfig config = BerthConfig.load(Map.of("BERTH_CONFIG", file.toString(), "BERTH_DEFAULT_IMAGE", "org/job:2", "HOME", temp.toString()));

        assertThat(config.pendingCap()).isEqualTo(16);
        assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.defaultImage()).isEqualTo("org/job:2");
        assertThat(config.databaseFile()).isEqualTo(temp.resolve(".berth").resolve("berth.db"));
    }

    @Test
    void fairShareGivesEveryUserAShareOfOneUnlessConfigured()
    {
        BerthConfig plain = BerthConfig.load(Map.of("HOME", temp.toString()));
        assertThat(plain.fairShare().halfLife()).isEqualTo(Duration.ofDays(7));
        assertThat(plain.fairShare().share("anyone")).isEqualTo(1.0);

        BerthConfig shared = BerthConfig.load(Map.of("HOME", temp.toString(), "BERTH_FAIR_SHARES", "ada:3, bob@lab:0.5", "BERTH_FAIR_SHARE_HALF_LIFE", "1d"));
        assertThat(shared.fairShare().share("ada")).isEqualTo(3.0);
        assertThat(shared.fairShare().share("bob@lab")).isEqualTo(0.5);
        assertThat(shared.fairShare().share("cy")).isEqualTo(1.0);
        assertThat(shared.fairShare().halfLife()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void aMalformedLineInTheConfigFileNamesTheFileAndLine()
            throws IOException
    {
        Path file = Files.writeString(temp.resolve("berth.env"), "BERTH_PENDING_CAP=4\njust some words\n");

        assertThatThrownBy(() -> BerthConfig.load(Map.of("BERTH_CONFIG", file.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ":2: expected KEY=value, got 'just some words'");
    }

    @Test
    void valuesBerthCannotRunWithAreRefusedByName()
    {
        assertRefused("BERTH_POLL_INTERVAL", "0ms", "BERTH_POLL_INTERVAL must be at least 10ms, got 0s");
        assertRefused("BERTH_POLL_INTERVAL", "soon", "BERTH_POLL_INTERVAL must be a duration such as 500ms, 30s, 5m or 2h, got 'soon'");
        assertRefused("BERTH_QUEUE_VISIBILITY", "500ms", "BERTH_QUEUE_VISIBILITY must be between 1s and 12h, got 500ms");
        assertRefused("BERTH_QUEUE_VISIBILITY", "13h", "BERTH_QUEUE_VISIBILITY must be between 1s and 12h, got 13h00m");
        assertRefused("BERTH_PENDING_CAP", "0", "BERTH_PENDING_CAP must be at least 1, got 0");
        assertRefused("BERTH_FAIR_SHARE_HALF_LIFE", "30s", "BERTH_FAIR_SHARE_HALF_LIFE must be at least 1m, got 30s");
        assertRefused("BERTH_FAIR_SHARE_GPU_WEIGHT", "-1", "BERTH_FAIR_SHARE_GPU_WEIGHT must be a number from 0 to 1000 (CPU-hours per GPU-hour), got -1.0");
        assertRefused("BERTH_FAIR_SHARES", "ada:2,bob", "BERTH_FAIR_SHARES must be user:share pairs, comma-separated, such as alice:2,bob:0.5;"
                + " got 'ada:2,bob': 'bob' is not user:share");
        assertRefused("BERTH_FAIR_SHARES", "ada:0", "BERTH_FAIR_SHARES must be user:share pairs, comma-separated, such as alice:2,bob:0.5;"
                + " got 'ada:0': the share of ada must be a number above 0, got '0'");
        assertRefused("BERTH_FAIR_SHARES", "a b:1", "BERTH_FAIR_SHARES must be user:share pairs, comma-separated, such as alice:2,bob:0.5;"
                + " got 'a b:1': user must be 1-64 letters, digits, '_', '.', '@' or '-', starting with a letter, digit or '_', got 'a b'");
        assertRefused("BERTH_PENDING_CAP", "eight", "BERTH_PENDING_CAP must be a whole number, got 'eight'");
        assertRefused("BERTH_RETENTION", "3 months", "BERTH_RETENTION must be an age such as 90d, or off; got '3 months'");
        assertRefused("BERTH_SNAPSHOT_CAP", "lots", "BERTH_SNAPSHOT_CAP must be a size such as 20g (the most the commits' snapshots may take on the shared mount),"
                + " or off for a full checkout per attempt; got 'lots'");
        assertRefused("BERTH_SNAPSHOT_CAP", "0", "BERTH_SNAPSHOT_CAP must be a size such as 20g (the most the commits' snapshots may take on the shared mount),"
                + " or off for a full checkout per attempt; got '0'");
        assertRefused("BERTH_HTTP_ADDRESS", "8080", "BERTH_HTTP_ADDRESS must be host:port such as 127.0.0.1:8080, or off; got '8080'");
        assertRefused("BERTH_HTTP_ADDRESS", "localhost:http", "BERTH_HTTP_ADDRESS must be host:port such as 127.0.0.1:8080, or off; got 'localhost:http'");
        assertRefused("BERTH_HTTP_ADDRESS", "0.0.0.0:70000", "BERTH_HTTP_ADDRESS port must be between 0 and 65535, got 70000");
        assertRefused("BERTH_MAX_ATTEMPTS", "0", "BERTH_MAX_ATTEMPTS must be at least 1, got 0");
        assertRefused("BERTH_DEFAULT_CPUS", "-1", "BERTH_DEFAULT_CPUS must be more than 0, got -1.0");
        assertRefused("BERTH_DEFAULT_CPUS", "two", "BERTH_DEFAULT_CPUS must be a number, got 'two'");
        assertRefused("BERTH_GIT_TIMEOUT", "0s", "BERTH_GIT_TIMEOUT must be at least 1s, got 0s");
    }

    @Test
    void theDefaultMemoryIsReadWhenARequestNeedsIt()
    {
        assertThat(BerthConfig.load(Map.of("HOME", temp.toString())).defaultMemoryBytes()).isEqualTo(1L << 30);
        assertThat(BerthConfig.load(Map.of("BERTH_DEFAULT_MEMORY", "512m", "HOME", temp.toString())).defaultMemoryBytes()).isEqualTo(512L << 20);

        BerthConfig unreadable = BerthConfig.load(Map.of("BERTH_DEFAULT_MEMORY", "lots", "HOME", temp.toString()));
        assertThatThrownBy(unreadable::defaultMemoryBytes)
                .isInstanceOf(ConfigException.class)
                .hasMessage("BERTH_DEFAULT_MEMORY must be a size such as 1g, got 'lots'");
    }

    @Test
    void registryCredentialsComeFromTheDockerConfigOfTheHomeDirUnlessNamed()
    {
        assertThat(BerthConfig.load(Map.of("HOME", temp.toString())).dockerConfig()).isEqualTo(temp.resolve(".docker").resolve("config.json"));
        assertThat(BerthConfig.load(Map.of("HOME", temp.toString(), "BERTH_DOCKER_CONFIG", "/etc/berth/docker.json")).dockerConfig())
                .isEqualTo(Path.of("/etc/berth/docker.json"));
    }

    @Test
    void thePoolsAndTheirInstanceTypesAreReadAsTheFleetWritesThem()
            throws IOException
    {
        Path file = Files.writeString(temp.resolve("berth.env"), """
                BERTH_POOLS=spot:m6i.2xlarge:8:32768m:0:worker_count,burst:m6i.2xlarge:8:32768m:0:burst_worker_count,gpu:g5.xlarge:4:16384m:1:gpu_worker_count
                """);

        BerthConfig config = BerthConfig.load(Map.of("BERTH_CONFIG", file.toString(), "HOME", temp.toString()));

        assertThat(config.pools()).containsExactly(
                new PoolType("spot", "m6i.2xlarge", 8, 32L << 30, 0, Optional.of("worker_count")),
                new PoolType("burst", "m6i.2xlarge", 8, 32L << 30, 0, Optional.of("burst_worker_count")),
                new PoolType("gpu", "g5.xlarge", 4, 16L << 30, 1, Optional.of("gpu_worker_count")));
        assertThat(BerthConfig.load(Map.of("BERTH_POOLS", "local:laptop:0.5:2g:0", "HOME", temp.toString())).pools())
                .containsExactly(new PoolType("local", "laptop", 0.5, 2L << 30, 0, Optional.empty()));
    }

    @Test
    void autoscaledPoolsAreReadWithTheirBoundsGroupsAndCoolDown()
    {
        BerthConfig config = BerthConfig.load(Map.of("HOME", temp.toString(),
                "BERTH_POOLS", "gpu:g5.12xlarge:48:192g:4,spot:m6i.2xlarge:8:32g:0",
                "BERTH_AUTOSCALE", "gpu:0:4:berth-gpu, spot:berth-spot",
                "BERTH_SCALE_COOLDOWN", "90s"));

        assertThat(config.autoscaling().pools()).containsExactly(
                new Autoscaling.Pool("gpu", 0, 4, Optional.of("berth-gpu")),
                new Autoscaling.Pool("spot", 0, 1000, Optional.of("berth-spot")));
        assertThat(config.autoscaling().scaler()).isEqualTo("aws");
        assertThat(config.autoscaling().coolDown()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.autoscaling().interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(BerthConfig.load(Map.of("HOME", temp.toString())).autoscaling().enabled()).isFalse();
    }

    @Test
    void autoscalingBerthCannotCarryOutIsRefusedSayingWhatToWrite()
    {
        String pools = "gpu:g5.12xlarge:48:192g:4";
        String form = "BERTH_AUTOSCALE must be pool:min:max[:auto-scaling-group] or pool:auto-scaling-group (its min and max are the group's), comma-separated, "
                + "such as gpu:0:4:berth-gpu,spot:berth-spot; got ";
        assertThatThrownBy(() -> load(pools, "gpu:4:2:berth-gpu")).isInstanceOf(ConfigException.class)
                .hasMessage(form + "'gpu:4:2:berth-gpu': pool 'gpu' needs min <= max <= 1000, got min 4 and max 2");
        assertThatThrownBy(() -> load(pools, "gpu:0:x")).isInstanceOf(ConfigException.class)
                .hasMessage(form + "'gpu:0:x': 'gpu:0:x' is not a pool with its bounds");
        assertThatThrownBy(() -> load(pools, "gpu:0:4")).isInstanceOf(ConfigException.class)
                .hasMessage("BERTH_AUTOSCALE: pool 'gpu' names no Auto Scaling group, which BERTH_SCALER=aws needs; write it as gpu:0:4:GROUP-NAME");
        assertThatThrownBy(() -> load(pools, "cpu:0:4:berth-cpu")).isInstanceOf(ConfigException.class)
                .hasMessage("BERTH_AUTOSCALE names pool 'cpu', which BERTH_POOLS does not describe (it has: gpu); add it there with its instance type");
    }

    private BerthConfig load(String pools, String autoscale)
    {
        return BerthConfig.load(Map.of("HOME", temp.toString(), "BERTH_POOLS", pools, "BERTH_AUTOSCALE", autoscale));
    }

    @Test
    void withoutPoolsTheNodesAreAllBerthKnows()
    {
        assertThat(BerthConfig.load(Map.of("HOME", temp.toString())).pools()).isEmpty();
        assertThat(BerthConfig.load(Map.of("BERTH_POOLS", " ", "HOME", temp.toString())).pools()).isEmpty();
    }

    @Test
    void poolsBerthCannotReadAreRefusedSayingWhatItTakes()
    {
        String form = "BERTH_POOLS must be pool:instance-type:cpus:memory:gpus[:terraform-variable], comma-separated, "
                + "such as gpu:g5.xlarge:4:16g:1:gpu_worker_count,spot:m6i.2xlarge:8:32g:0:worker_count; got ";
        assertRefused("BERTH_POOLS", "gpu:g5.xlarge:4:16g", form + "'gpu:g5.xlarge:4:16g': 'gpu:g5.xlarge:4:16g' is not a pool");
        assertRefused("BERTH_POOLS", "gpu:g5.xlarge:four:16g:1", form + "'gpu:g5.xlarge:four:16g:1': 'gpu:g5.xlarge:four:16g:1' is not a pool");
        assertRefused("BERTH_POOLS", "spot:m6i.large:2:8g:0,GPU:g5.xlarge:4:16g:1",
                form + "'spot:m6i.large:2:8g:0,GPU:g5.xlarge:4:16g:1': 'GPU:g5.xlarge:4:16g:1' is not a pool");
        assertRefused("BERTH_POOLS", "spot:m6i.large:0:8g:0", form + "'spot:m6i.large:0:8g:0': 'spot:m6i.large:0:8g:0' is not a pool");
        assertRefused("BERTH_POOLS", "spot:m6i.large:2:lots:0", form + "'spot:m6i.large:2:lots:0': 'spot:m6i.large:2:lots:0' is not a pool");
        assertRefused("BERTH_POOLS", "spot:m6i.large:2:8g:0,", form + "'spot:m6i.large:2:8g:0,': '' is not a pool");
        assertRefused("BERTH_POOLS", "spot:m6i.large:2:8g:0,spot:m6i.xlarge:4:16g:0",
                form + "'spot:m6i.large:2:8g:0,spot:m6i.xlarge:4:16g:0': pool 'spot' is named twice");
    }

    private void assertRefused(String key, String value, String message)
    {
        assertThatThrownBy(() -> BerthConfig.load(Map.of(key, value, "HOME", temp.toString())))
                .as(key + "=" + value)
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void theHttpAddressIsLoopbackByDefaultAndCanBeTurnedOff()
    {
        HttpAddress address = BerthConfig.load(Map.of()).httpAddress().orElseThrow();

        assertThat(address).isEqualTo(new HttpAddress("127.0.0.1", 8080));
        assertThat(address.loopback()).isTrue();
        assertThat(BerthConfig.load(Map.of("BERTH_HTTP_ADDRESS", "off")).httpAddress()).isEmpty();
        assertThat(BerthConfig.load(Map.of("BERTH_HTTP_ADDRESS", "[::1]:9000")).httpAddress().orElseThrow().loopback()).isTrue();
        assertThat(BerthConfig.load(Map.of("BERTH_HTTP_ADDRESS", "0.0.0.0:8080")).httpAddress().orElseThrow().loopback()).isFalse();
    }

    @Test
    void snapshotsTake20gByDefaultAndCanBeTurnedOff()
    {
        assertThat(BerthConfig.load(Map.of()).snapshotCap()).contains(20L << 30);
        assertThat(BerthConfig.load(Map.of("BERTH_SNAPSHOT_CAP", "512m")).snapshotCap()).contains(512L << 20);
        assertThat(BerthConfig.load(Map.of("BERTH_SNAPSHOT_CAP", "off")).snapshotCap()).isEmpty();
    }
}
