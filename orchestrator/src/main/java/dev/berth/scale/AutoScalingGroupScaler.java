package dev.berth.scale;

import dev.berth.config.Autoscaling;
import dev.berth.swarm.SwarmNode;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * A pool's workers as its EC2 Auto Scaling group holds them: berth sets the group's desired capacity to
 * grow it, keeps its busy instances protected from scale-in (so that neither AWS nor an operator lowering
 * the count ends a running job), and ends a drained idle instance with
 * {@code TerminateInstanceInAutoScalingGroup}, lowering the desired capacity with it. A worker's instance id
 * is the engine label {@code berth.instance-id} its boot script sets.
 */
public final class AutoScalingGroupScaler
        implements Scaler, AutoCloseable
{
    /** The most instances one SetInstanceProtection call takes. */
    private static final int PROTECTION_BATCH = 50;

    private final AutoScalingClient client;
    private final Map<String, String> groups;

    /** @param groups each pool's Auto Scaling group's name */
    public AutoScalingGroupScaler(AutoScalingClient client, Map<String, String> groups)
    {
        this.client = requireNonNull(client, "client is null");
        this.groups = Map.copyOf(groups);
    }

    /** Over AWS's own endpoint for the region, with the manager's AWS credentials (its instance role on a fleet). */
    public static AutoScalingGroupScaler create(Autoscaling autoscaling, String region)
    {
        AutoScalingClient client = AutoScalingClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).connectionTimeout(Duration.ofSeconds(5)))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .build();
        return new AutoScalingGroupScaler(client, groups(autoscaling));
    }

    static Map<String, String> groups(Autoscaling autoscaling)
    {
        return autoscaling.pools().stream().collect(Collectors.toMap(Autoscaling.Pool::pool, pool -> pool.group().orElseThrow()));
    }

    /** The group's desired capacity, min and max: the bounds are the group's, so an apply that changes them needs no restart of berth. */
    @Override
    public PoolSize size(String pool)
    {
        return group(pool).map(group -> new PoolSize(group.desiredCapacity(), group.minSize(), group.maxSize()))
                // The GPU pool's group exists only while its max is above 0: until then the pool stays empty
                .orElse(new PoolSize(0, 0, 0));
    }

    @Override
    public void grow(String pool, int workers)
    {
        // Berth has its own cool-down, for scale-in only: a pool grows as soon as jobs wait
        client.setDesiredCapacity(request -> request.autoScalingGroupName(name(pool)).desiredCapacity(workers).honorCooldown(false));
    }

    @Override
    public void protect(String pool, List<SwarmNode> busy, List<SwarmNode> idle)
    {
        setProtection(pool, instanceIds(busy), true);
        setProtection(pool, instanceIds(idle), false);
    }

    @Override
    public void remove(String pool, SwarmNode worker)
    {
        String instance = instanceId(worker).orElseThrow(() -> new IllegalStateException(
                "worker %s has no engine label %s, so its instance in Auto Scaling group %s is not known; terminate it by hand"
                        .formatted(worker.hostname(), SwarmNode.INSTANCE_ID_LABEL, name(pool))));
        setProtection(pool, List.of(instance), false);
        client.terminateInstanceInAutoScalingGroup(request -> request.instanceId(instance).shouldDecrementDesiredCapacity(true));
    }

    private void setProtection(String pool, List<String> instances, boolean protect)
    {
        for (int start = 0; start < instances.size(); start += PROTECTION_BATCH) {
            List<String> batch = instances.subList(start, Math.min(instances.size(), start + PROTECTION_BATCH));
            client.setInstanceProtection(request -> request.autoScalingGroupName(name(pool)).instanceIds(batch).protectedFromScaleIn(protect));
        }
    }

    private Optional<AutoScalingGroup> group(String pool)
    {
        String name = name(pool);
        return client.describeAutoScalingGroups(request -> request.autoScalingGroupNames(name)).autoScalingGroups().stream().findFirst();
    }

    private String name(String pool)
    {
        return requireNonNull(groups.get(pool), () -> "no Auto Scaling group for pool " + pool);
    }

    private static List<String> instanceIds(List<SwarmNode> workers)
    {
        List<String> ids = new ArrayList<>();
        workers.forEach(worker -> instanceId(worker).ifPresent(ids::add));
        return ids;
    }

    private static Optional<String> instanceId(SwarmNode worker)
    {
        return Optional.ofNullable(worker.labels().get(SwarmNode.INSTANCE_ID_LABEL));
    }

    @Override
    public void close()
    {
        client.close();
    }
}
