package dev.berth.export;

import dev.berth.config.BerthConfig;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;

import static java.util.Objects.requireNonNull;

/**
 * {@link ExportCheck} by S3's HeadObject. Credentials come from the SDK's default chain (on the fleet,
 * the manager's instance role); {@code BERTH_EXPORT_S3_ENDPOINT} points it at an S3-compatible server
 * instead of AWS, addressed path-style as such servers expect.
 */
public final class S3ExportCheck
        implements ExportCheck
{
    private final S3Client client;

    private S3ExportCheck(S3Client client)
    {
        this.client = requireNonNull(client, "client is null");
    }

    public static S3ExportCheck open(BerthConfig config)
    {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(config.exportS3Region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build());
        config.exportS3Endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)).forcePathStyle(true));
        return new S3ExportCheck(builder.build());
    }

    @Override
    public boolean exported(RunDirExport export)
    {
        try {
            client.headObject(HeadObjectRequest.builder().bucket(export.bucket()).key(export.resultKey()).build());
            return true;
        }
        catch (NoSuchKeyException e) {
            return false;
        }
        catch (S3Exception e) {
            // HeadObject has no body to carry an error code: a missing key is a bare 404
            if (e.statusCode() == 404) {
                return false;
            }
            throw new ExportCheckException("S3 answered HTTP %d to HeadObject of s3://%s/%s%s".formatted(e.statusCode(), export.bucket(), export.resultKey(),
                    e.statusCode() == 403 ? " (access denied: does the manager's role allow s3:GetObject there?)" : ""), e);
        }
        catch (SdkException e) {
            throw new ExportCheckException("cannot ask S3 about s3://%s/%s: %s".formatted(export.bucket(), export.resultKey(), e.getMessage()), e);
        }
    }

    @Override
    public void close()
    {
        client.close();
    }
}
