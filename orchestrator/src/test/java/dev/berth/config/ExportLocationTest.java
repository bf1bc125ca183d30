package dev.berth.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExportLocationTest
{
    @Test
    void readsTheBucketAndPrefixTheRunDirsAreExportedTo()
    {
        ExportLocation location = ExportLocation.parse("s3://my-bucket/berth/runs/");

        assertThat(location).isEqualTo(new ExportLocation("my-bucket", "berth/runs"));
        assertThat(location.keyOf("20261202_052525_train_c63dff649eec")).isEqualTo("berth/runs/20261202_052525_train_c63dff649eec/");
        assertThat(location).hasToString("s3://my-bucket/berth/runs");
        assertThat(ExportLocation.parse("s3://my.bucket").keyOf("run")).isEqualTo("run/");
    }

    @Test
    void anythingButAnS3LocationIsRefusedSayingWhatItTakes()
    {
        for (String bad : new String[] {"my-bucket/runs", "https://my-bucket.s3.amazonaws.com/runs", "s3://", "s3://My_Bucket/runs", "s3://b/runs",
                "s3://bucket//runs", "s3://bucket/runs with space"}) {
            assertThatThrownBy(() -> ExportLocation.parse(bad))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("BERTH_EXPORT_S3 must be s3://bucket/prefix, the S3 location the run dirs are exported to, such as s3://my-bucket/berth/runs; got '"
                            + bad + "'");
        }
    }

    @Test
    void noSettingMeansNoExport()
    {
        assertThat(BerthConfig.load(Map.of("BERTH_STATE_DIR", "/tmp/berth")).exportS3()).isEmpty();
        BerthConfig configured = BerthConfig.load(Map.of("BERTH_STATE_DIR", "/tmp/berth", "BERTH_EXPORT_S3", "s3://bucket/runs", "BERTH_SQS_REGION", "eu-west-1"));
        assertThat(configured.exportS3()).contains(new ExportLocation("bucket", "runs"));
        assertThat(configured.exportS3Region()).as("the queue's region unless said otherwise").isEqualTo("eu-west-1");
        assertThat(configured.exportS3Endpoint()).isEmpty();
    }
}
