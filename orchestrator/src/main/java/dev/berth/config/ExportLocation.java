package dev.berth.config;

import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Where the shared file system exports the run dirs: the S3 bucket and key prefix that mirror
 * {@code <shared>/runs/} ({@code BERTH_EXPORT_S3}, written on the fleet from its Terraform: the
 * data repository association's path). A run dir {@code <shared>/runs/NAME/} reaches
 * {@code s3://bucket/prefix/NAME/}.
 *
 * @param prefix the key prefix without a trailing slash; empty for the bucket's root
 */
public record ExportLocation(String bucket, String prefix)
{
    public static final String KEY = "BERTH_EXPORT_S3";
    // S3's rules for a bucket's name: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/=+-]*");

    public ExportLocation
    {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
    }

    /** {@code s3://bucket} or {@code s3://bucket/prefix}, a trailing slash or not. */
    public static ExportLocation parse(String uri)
    {
        String problem = KEY + " must be s3://bucket/prefix, the S3 location the run dirs are exported to, such as s3://my-bucket/berth/runs; got '" + uri + "'";
        if (!uri.startsWith("s3://")) {
            throw new ConfigException(problem);
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!BUCKET.matcher(bucket).matches() || !PREFIX.matcher(prefix).matches() || prefix.startsWith("/") || prefix.contains("//")) {
            throw new ConfigException(problem);
        }
        return new ExportLocation(bucket, prefix);
    }

    /** The key prefix of a run dir named {@code runDirName}, with its trailing slash. */
    public String keyOf(String runDirName)
    {
        return (prefix.isEmpty() ? "" : prefix + "/") + runDirName + "/";
    }

    @Override
    public String toString()
    {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
