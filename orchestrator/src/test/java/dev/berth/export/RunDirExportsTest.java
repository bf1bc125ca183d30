package dev.berth.export;

import dev.berth.config.ExportLocation;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RunDirExportsTest
{
    private static final Path RUNS = Path.of("/mnt/shared/runs");

    @Test
    void aRunDirIsExportedUnderItsNameBelowThePrefix()
    {
        RunDirExports exports = new RunDirExports(RUNS, Optional.of(new ExportLocation("bucket", "berth/runs")));

        RunDirExport export = exports.of(RUNS.resolve("20261202_052525_train_c63d")).orElseThrow();

        assertThat(export.uri()).isEqualTo("s3://bucket/berth/runs/20261202_052525_train_c63d/");
        assertThat(export.resultKey()).isEqualTo("berth/runs/20261202_052525_train_c63d/result.json");
        assertThat(exports.configured()).isTrue();
    }

    @Test
    void onlyRunDirsOfTheTreeHaveALocationAndNoneWithoutAnExport()
    {
        RunDirExports exports = new RunDirExports(RUNS, Optional.of(new ExportLocation("bucket", "")));

        assertThat(exports.of(RUNS.resolve("run-1"))).map(RunDirExport::uri).contains("s3://bucket/run-1/");
        assertThat(exports.of(Path.of("/elsewhere/run-1"))).isEmpty();
        assertThat(exports.of(RUNS.resolve("run-1/attempts"))).isEmpty();
        assertThat(exports.of(RUNS.resolve("../mirrors"))).isEmpty();
        assertThat(new RunDirExports(RUNS, Optional.empty()).of(RUNS.resolve("run-1"))).isEmpty();
    }

    @Test
    void anEndedJobIsExportedOncePendingBeforeAndUnknownWhenS3CannotSay()
    {
        RunDirExport export = new RunDirExport("bucket", "runs/run-1/");

        assertThat(ExportState.asked(export, check(true)).text()).isEqualTo("exported");
        assertThat(ExportState.asked(export, check(false)).text()).isEqualTo("export pending");
        ExportState unknown = ExportState.asked(export, new ExportCheck()
        {
            @Override
            public boolean exported(RunDirExport asked)
            {
                throw new ExportCheckException("S3 answered HTTP 403 to HeadObject of s3://bucket/runs/run-1/result.json", null);
            }

            @Override
            public void close() {}
        });
        assertThat(unknown.stage()).isEqualTo(ExportState.Stage.UNKNOWN);
        assertThat(unknown.text()).isEqualTo("export unknown: S3 answered HTTP 403 to HeadObject of s3://bucket/runs/run-1/result.json");
        assertThat(ExportState.notEnded().text()).isEqualTo("exported once the job has ended");
    }

    private static ExportCheck check(boolean exported)
    {
        return new ExportCheck()
        {
            @Override
            public boolean exported(RunDirExport asked)
            {
                assertThat(asked.resultKey()).isEqualTo("runs/run-1/result.json");
                return exported;
            }

            @Override
            public void close() {}
        };
    }
}
