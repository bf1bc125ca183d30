package dev.berth.cli;

import dev.berth.store.JobStore;
import dev.berth.testing.FakeExportCheck;
import dev.berth.testing.StoredJobs;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth wait-export} over a real store, with an in-memory S3 and a clock that advances as the command sleeps. */
class WaitExportCommandTest
{
    private static final Instant NOW = Instant.parse("2026-12-02T05:00:00Z");
    private static final String LOCATION = "s3://bucket/berth/runs/20261202_050000_train_done/";

    @TempDir
    Path temp;

    private final TestingClock clock = new TestingClock(NOW);

    @BeforeEach
    void jobs()
    {
        try (JobStore store = JobStore.open(temp.resolve("berth.db"))) {
            StoredJobs jobs = new StoredJobs(store);
            jobs.job("done").received(NOW).started(NOW).succeeded(NOW.plusSeconds(5));
            store.writes().recordRunDir("done", temp.resolve("shared/runs/20261202_050000_train_done"));
            jobs.job("busy").received(NOW).started(NOW).running();
            store.writes().recordRunDir("busy", temp.resolve("shared/runs/20261202_050000_train_busy"));
        }
    }

    @Test
    void waitsUntilTheRunDirIsInTheBucketAndPrintsWhere()
    {
        FakeExportCheck s3 = new FakeExportCheck(Optional.of(3), Optional.empty());

        Result result = waitExport(s3, "done");

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo(LOCATION + "\n");
        assertThat(s3.asked()).isEqualTo(3);
        assertThat(clock.slept()).isEqualTo(WaitExportCommand.POLL_INTERVAL.multipliedBy(2));
    }

    @Test
    void givesUpAtItsTimeoutSayingWhatIsMissingOrWhyS3CouldNotSay()
    {
        Result missing = waitExport(new FakeExportCheck(Optional.empty(), Optional.empty()), "done", "--timeout", "5s");

        assertThat(missing.status()).isEqualTo(1);
        assertThat(clock.slept()).isEqualTo(Duration.ofSeconds(5));
        assertThat(missing.err()).contains("job done's run dir is not exported after 5s: s3://bucket/berth/runs/20261202_050000_train_done/result.json is not there yet");

        Result unreachable = waitExport(new FakeExportCheck(Optional.empty(), Optional.of("cannot ask S3 about it: connection refused")), "done", "--timeout", "1s");

        assertThat(unreachable.status()).isEqualTo(1);
        assertThat(unreachable.err()).contains("is not exported after 1s: cannot ask S3 about it: connection refused");
    }

    @Test
    void aJobStillRunningOrABadTimeoutIsRefusedWithoutAskingS3()
    {
        FakeExportCheck s3 = new FakeExportCheck(Optional.of(1), Optional.empty());

        Result running = waitExport(s3, "busy");
        Result badTimeout = waitExport(s3, "done", "--timeout", "soon");

        assertThat(running.status()).isEqualTo(1);
        assertThat(running.err()).contains("job busy is RUNNING: its run dir is exported once it has ended");
        assertThat(badTimeout.status()).isEqualTo(1);
        assertThat(badTimeout.err()).contains("--timeout must be a duration such as 90s or 1h, got 'soon'");
        assertThat(s3.asked()).isZero();
    }

    private record Result(int status, String out, String err) {}

    private Result waitExport(FakeExportCheck s3, String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 5];
        all[0] = "wait-export";
        all[1] = "--state-dir";
        all[2] = temp.toString();
        all[3] = "--shared-dir";
        all[4] = temp.resolve("shared").toString();
        System.arraycopy(args, 0, all, 5, args.length);
        BerthCli cli = new BerthCli(Map.of("BERTH_EXPORT_S3", "s3://bucket/berth/runs"), clock, clock.sleeper())
                .withCommand("wait-export", () -> new WaitExportCommand(clock, clock.sleeper(), config -> s3));
        int status = cli.execute(new PrintWriter(out), new PrintWriter(err), all);
        return new Result(status, out.toString(), err.toString());
    }
}
