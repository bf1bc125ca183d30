package dev.berth.registry;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenRequest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Registry credentials for ECR registries ({@code <account>.dkr.ecr.<region>.amazonaws.com}): a token
 * from the AWS SDK's ECR client, with the manager's own AWS credentials (its instance role on a fleet).
 * A token lasts 12 hours; each registry's is kept and fetched anew {@link #RENEW_BEFORE_EXPIRY} before it
 * expires, so a service created late in a token's life still hands its workers one that outlasts their pull.
 * Other registries get none.
 */
public final class EcrCredentials
        implements RegistryCredentials, AutoCloseable
{
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(30);
    private static final Pattern ECR_REGISTRY = Pattern.compile("\\d{12}\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?");
    private static final String SOURCE = "ECR";

    private final Function<Region, EcrClient> clientFor;
    private final Clock clock;
    /** Guarded by this, as is {@link #tokens}: preparations and dispatches look up tokens from several threads. */
    private final Map<Region, EcrClient> clients = new HashMap<>();
    private final Map<String, Token> tokens = new HashMap<>();

    private record Token(RegistryAuth auth, Instant renewAt) {}

    /** @param clientFor makes the ECR client of a region, the first time a registry of that region is asked for */
    public EcrCredentials(Function<Region, EcrClient> clientFor, Clock clock)
    {
        this.clientFor = requireNonNull(clientFor, "clientFor is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** ECR's own endpoints, the default AWS credentials, and the same HTTP client as the queue's. */
    public static EcrCredentials standard(Clock clock)
    {
        return new EcrCredentials(region -> EcrClient.builder()
                .region(region)
                .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).connectionTimeout(Duration.ofSeconds(5)))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .build(), clock);
    }

    public static boolean isEcrRegistry(String registry)
    {
        return ECR_REGISTRY.matcher(registry.toLowerCase(Locale.ROOT)).matches();
    }

    @Override
    public synchronized Optional<RegistryAuth> forRegistry(String registry)
    {
        Matcher matcher = ECR_REGISTRY.matcher(registry.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Token token = tokens.get(registry);
        if (token == null || !clock.instant().isBefore(token.renewAt())) {
            token = fetch(registry, Region.of(matcher.group(1)));
            tokens.put(registry, token);
        }
        return Optional.of(token.auth());
    }

    @Override
    public String whereToConfigure(String registry)
    {
        return "the AWS credentials of the berth daemon (on a fleet, the manager's instance role: ecr:GetAuthorizationToken,"
                + " and ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository)";
    }

    private Token fetch(String registry, Region region)
    {
        AuthorizationData data;
        try {
            data = clients.computeIfAbsent(region, clientFor)
                    // No registry ids (deprecated): the token opens every registry the credentials may read
                    .getAuthorizationToken(GetAuthorizationTokenRequest.builder().build())
                    .authorizationData().stream().findFirst()
                    .orElseThrow(() -> new RegistryAccessException("ECR gave no token for registry " + registry));
        }
        catch (AwsServiceException e) {
            if (e.statusCode() >= 500 || e.isThrottlingException()) {
                // ECR's own trouble: passing, so the job's preparation is tried again
                throw e;
            }
            String why = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
            throw new RegistryAccessException("ECR refused a token for registry " + registry + " (" + why + "): configure "
                    + whereToConfigure(registry));
        }
        String decoded = new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new RegistryAccessException("ECR gave a token for registry " + registry + " that is not user:password");
        }
        RegistryAuth auth = RegistryAuth.password(registry, decoded.substring(0, colon), decoded.substring(colon + 1), SOURCE);
        // A token without an expiry is used once and fetched anew the next time
        Instant renewAt = data.expiresAt() == null ? clock.instant() : data.expiresAt().minus(RENEW_BEFORE_EXPIRY);
        return new Token(auth, renewAt);
    }

    @Override
    public synchronized void close()
    {
        clients.values().forEach(EcrClient::close);
        clients.clear();
    }
}
