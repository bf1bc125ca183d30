package dev.berth.scale;

import dev.berth.swarm.SwarmNode;
import dev.berth.testing.AutoScalingStandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real AWS SDK client, pointed at a stand-in for the Auto Scaling API that records the calls berth makes. */
class AutoScalingGroupScalerTest
{
    private final AutoScalingStandIn aws = AutoScalingStandIn.start().withGroup("berth-gpu", 1);
    private final AutoScalingGroupScaler scaler = new AutoScalingGroupScaler(AutoScalingClient.builder()
            .endpointOverride(aws.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "not-a-secret")))
            .httpClient(UrlConnectionHttpClient.create())
            .build(), Map.of("gpu", "berth-gpu"));

    @AfterEach
    void close()
    {
        scaler.close();
        aws.close();
    }

    @Test
    void growingSetsTheGroupsDesiredCapacityWithoutWaitingForItsCoolDown()
    {
        assertThat(scaler.size("gpu")).isEqualTo(new Scaler.PoolSize(1, 0, 10));

        scaler.grow("gpu", 3);

        assertThat(aws.desired("berth-gpu")).isEqualTo(3);
        assertThat(scaler.size("gpu")).isEqualTo(new Scaler.PoolSize(3, 0, 10));
        Map<String, String> set = aws.calls().get(1);
        assertThat(set).containsEntry("Action", "SetDesiredCapacity").containsEntry("AutoScalingGroupName", "berth-gpu")
                .containsEntry("DesiredCapacity", "3").containsEntry("HonorCooldown", "false");
    }

    @Test
    void busyInstancesAreProtectedFromScaleInAndIdleOnesReleasedInBatchesAwsTakes()
    {
        List<SwarmNode> busy = IntStream.range(0, 51).mapToObj(i -> worker("ip-" + i, "i-busy" + i)).toList();

        scaler.protect("gpu", busy, List.of(worker("ip-idle", "i-idle"), worker("not-an-instance", null)));

        List<Map<String, String>> calls = aws.calls();
        assertThat(calls).hasSize(3).allSatisfy(call -> assertThat(call).containsEntry("Action", "SetInstanceProtection").containsEntry("AutoScalingGroupName", "berth-gpu"));
        assertThat(calls.get(0)).containsEntry("ProtectedFromScaleIn", "true").containsEntry("InstanceIds.member.1", "i-busy0").containsEntry("InstanceIds.member.50", "i-busy49");
        assertThat(calls.get(1)).containsEntry("ProtectedFromScaleIn", "true").containsEntry("InstanceIds.member.1", "i-busy50").doesNotContainKey("InstanceIds.member.2");
        assertThat(calls.get(2)).containsEntry("ProtectedFromScaleIn", "false").containsEntry("InstanceIds.member.1", "i-idle").doesNotContainKey("InstanceIds.member.2");
    }

    @Test
    void aDrainedWorkerIsReleasedThenTerminatedWithTheDesiredCapacityLowered()
    {
        scaler.remove("gpu", worker("ip-10-0-1-5", "i-0abc"));

        List<Map<String, String>> calls = aws.calls();
        assertThat(calls).extracting(call -> call.get("Action")).containsExactly("SetInstanceProtection", "TerminateInstanceInAutoScalingGroup");
        assertThat(calls.get(0)).containsEntry("ProtectedFromScaleIn", "false").containsEntry("InstanceIds.member.1", "i-0abc");
        assertThat(calls.get(1)).containsEntry("InstanceId", "i-0abc").containsEntry("ShouldDecrementDesiredCapacity", "true");
        assertThat(aws.desired("berth-gpu")).isZero();
    }

    @Test
    void aWorkerWithoutItsInstanceIdIsRefusedByNameAndAPoolWithoutItsGroupStaysEmpty()
    {
        assertThatThrownBy(() -> scaler.remove("gpu", worker("ip-10-0-1-6", null)))
                .hasMessage("worker ip-10-0-1-6 has no engine label berth.instance-id, so its instance in Auto Scaling group berth-gpu is not known; terminate it by hand");
        AutoScalingGroupScaler wrong = new AutoScalingGroupScaler(AutoScalingClient.builder()
                .endpointOverride(aws.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "not-a-secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .build(), Map.of("gpu", "berth-gpu-typo"));
        assertThat(wrong.size("gpu")).isEqualTo(new Scaler.PoolSize(0, 0, 0));
        wrong.close();
        assertThat(aws.calls()).noneMatch(call -> call.get("Action").equals("TerminateInstanceInAutoScalingGroup"));
    }

    private static SwarmNode worker(String hostname, String instanceId)
    {
        Map<String, String> labels = instanceId == null ? Map.of(SwarmNode.POOL_LABEL, "gpu") : Map.of(SwarmNode.POOL_LABEL, "gpu", SwarmNode.INSTANCE_ID_LABEL, instanceId);
        return new SwarmNode(hostname, hostname, "ready", "active", labels, 4_000_000_000L, 16L << 30, List.of());
    }
}
