package dev.berth.export;

import static java.util.Objects.requireNonNull;

/**
 * Where one run dir is exported to: its key prefix in the bucket (ending in {@code /}). Its
 * {@code result.json}, the last file berth writes there, tells whether the export has caught up.
 */
public record RunDirExport(String bucket, String keyPrefix)
{
    public RunDirExport
    {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(keyPrefix, "keyPrefix is null");
    }

    public String uri()
    {
        return "s3://" + bucket + "/" + keyPrefix;
    }

    public String resultKey()
    {
        return keyPrefix + "result.json";
    }
}
