package dev.berth.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checks the AWS Swarm module as far as can be done without providers: it parses, and it is wired as the fleet needs. */
class TerraformSwarmModuleTest
{
    private static final Path MODULE = Path.of("..", "terraform", "aws", "swarm");
    private static final Set<String> REQUIRED_WITHOUT_DEFAULT = Set.of("region", "availability_zone", "s3_bucket");

    private final TerraformModule module = TerraformModule.parse(MODULE);

    @Test
    void everyVariableIsTypedDescribedAndDefaultedUnlessTheOperatorMustChoose()
    {
        assertThat(module.variables()).isNotEmpty();
        module.variables().forEach((name, body) -> {
            assertThat(body).as("variable %s", name).containsKeys("type", "description");
            assertThat(String.valueOf(body.get("description"))).as("description of %s", name).isNotBlank();
            if (!REQUIRED_WITHOUT_DEFAULT.contains(name)) {
                assertThat(body).as("variable %s needs a default", name).containsKey("default");
            }
        });
    }

    @Test
    void everyReferencedVariableIsDeclaredAndEveryDeclaredOneIsUsed()
    {
        assertThat(module.referencedVariables()).as("referenced but not declared")
                .isSubsetOf(module.variables().keySet());
        assertThat(module.variables().keySet()).as("declared but never used")
                .isSubsetOf(module.referencedVariables());
    }

    @Test
    void fleetSizesTouchOnlyTheirOwnWorkers()
    {
        // What keeps `terraform apply -var worker_count=N` from replacing the manager or the file system.
        assertThat(module.resourcesReferencing("worker_count")).containsExactly("aws_instance.worker");
        assertThat(module.resourcesReferencing("burst_worker_count")).containsExactly("aws_instance.burst_worker");
        assertThat(module.resourcesReferencing("gpu_worker_count")).containsExactly("aws_instance.gpu_worker");
        assertThat(String.valueOf(module.resources("aws_instance").get("worker").get("count"))).isEqualTo("var.worker_count");
    }

    @Test
    void onlyTheManagerIsReachableFromTheInternetAndOnlyBySshAndMosh()
    {
        Map<String, Map<String, Object>> groups = module.resources("aws_security_group");
        assertThat(groups).containsKeys("manager_ssh", "fleet", "lustre");
        Set<String> openToInternet = new TreeSet<>();
        groups.forEach((name, body) -> ingressRules(body).forEach(rule -> {
            if (rule.containsKey("cidr_blocks")) {
                openToInternet.add(name + ":" + rule.get("protocol") + ":" + port(rule.get("from_port")) + "-" + port(rule.get("to_port")));
            }
        }));
        assertThat(openToInternet).containsExactlyInAnyOrder("manager_ssh:tcp:22-22", "manager_ssh:udp:60000-61000");

        Set<String> swarmPorts = new TreeSet<>();
        ingressRules(groups.get("fleet")).forEach(rule -> swarmPorts.add(rule.get("protocol") + ":" + port(rule.get("from_port"))));
        assertThat(swarmPorts).contains("tcp:2377", "tcp:7946", "udp:7946", "udp:4789");
        assertThat(ingressRules(groups.get("lustre"))).anySatisfy(rule -> assertThat(port(rule.get("from_port"))).isEqualTo(988));

        Map<String, Object> manager = module.resources("aws_instance").get("manager");
        assertThat(String.valueOf(manager.get("vpc_security_group_ids"))).contains("manager_ssh");
        Map<String, Object> workerTemplate = module.resources("aws_launch_template").get("worker");
        assertThat(String.valueOf(workerTemplate.get("vpc_security_group_ids"))).doesNotContain("manager_ssh");
    }

    @Test
    void sharedFileSystemIsLinkedToTheBucketWithAutomaticImportAndExportOfRuns()
    {
        assertThat(module.resources("aws_fsx_lustre_file_system")).containsKey("shared");
        Map<String, Object> runs = module.resources("aws_fsx_data_repository_association").get("runs");
        assertThat(runs).isNotNull().containsEntry("file_system_path", "/runs");
        assertThat(String.valueOf(runs.get("data_repository_path"))).startsWith("s3://var.s3_bucket/");
        Map<String, Object> s3 = TerraformModule.asMap(runs.get("s3"));
        assertThat(String.valueOf(s3.get("auto_export_policy"))).contains("NEW", "CHANGED", "DELETED");
        assertThat(String.valueOf(s3.get("auto_import_policy"))).contains("NEW", "CHANGED", "DELETED");
    }

    @Test
    void workersAreSpotInstancesFromOneLaunchTemplateWithPersistentAndOneTimeRequests()
    {
        Map<String, Map<String, Object>> instances = module.resources("aws_instance");
        assertThat(instances).containsKeys("manager", "worker", "burst_worker", "gpu_worker");
        assertThat(instances.get("manager")).doesNotContainKey("instance_market_options").containsKey("iam_instance_profile");
        assertThat(module.resources("aws_iam_instance_profile")).containsKey("manager");
        assertThat(spotType(instances.get("worker"))).isEqualTo("persistent");
        assertThat(spotType(instances.get("gpu_worker"))).isEqualTo("persistent");
        assertThat(spotType(instances.get("burst_worker"))).isEqualTo("one-time");
        assertThat(instances.get("burst_worker")).containsEntry("instance_initiated_shutdown_behavior", "terminate");
        assertThat(String.valueOf(instances.get("gpu_worker").get("instance_type"))).isEqualTo("var.gpu_instance_type");
        for (String worker : Set.of("worker", "burst_worker", "gpu_worker")) {
            assertThat(String.valueOf(instances.get(worker).get("launch_template"))).contains("aws_launch_template.worker.id");
        }
    }

    @Test
    void jobQueueIsFifoWithARedrivePolicyToAFifoDeadLetterQueue()
    {
        Map<String, Map<String, Object>> queues = module.resources("aws_sqs_queue");
        assertThat(queues.get("jobs")).containsEntry("fifo_queue", true);
        assertThat(queues.get("jobs_dead_letter")).containsEntry("fifo_queue", true);
        assertThat(String.valueOf(queues.get("jobs").get("redrive_policy")))
                .contains("deadLetterTargetArn", "aws_sqs_queue.jobs_dead_letter.arn", "maxReceiveCount");
        assertThat(module.outputs()).containsKeys("manager_ip", "queue_url");
        assertThat(String.valueOf(module.outputs().get("queue_url").get("value"))).isEqualTo("aws_sqs_queue.jobs.url");
        assertThat(String.valueOf(module.outputs().get("manager_ip").get("value"))).isEqualTo("aws_instance.manager.public_ip");
    }

    @Test
    void undeclaredVariableAndSyntaxErrorAreCaught(@TempDir Path directory)
            throws IOException
    {
        Files.writeString(directory.resolve("main.tf"), """
                variable "used" {
                  type        = number
                  description = "declared and used"
                  default     = 1
                }
                resource "aws_instance" "x" {
                  count         = var.used
                  instance_type = var.never_declared
                }
                """);
        TerraformModule broken = TerraformModule.parse(directory);
        assertThat(broken.referencedVariables()).contains("never_declared");
        assertThat(broken.variables().keySet()).doesNotContain("never_declared");

        Files.writeString(directory.resolve("bad.tf"), "resource \"aws_vpc\" \"x\" {\n  cidr_block == \"10.0.0.0/16\"\n}\n");
        assertThatThrownBy(() -> TerraformModule.parse(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.tf does not parse as HCL");
    }

    private static Iterable<Map<String, Object>> ingressRules(Map<String, Object> group)
    {
        Object ingress = group.get("ingress");
        if (ingress instanceof java.util.List<?> rules) {
            return rules.stream().map(TerraformModule::asMap).toList();
        }
        return ingress == null ? java.util.List.of() : java.util.List.of(TerraformModule.asMap(ingress));
    }

    private static String spotType(Map<String, Object> instance)
    {
        Map<String, Object> market = TerraformModule.asMap(instance.get("instance_market_options"));
        assertThat(market).containsEntry("market_type", "spot");
        return String.valueOf(TerraformModule.asMap(market.get("spot_options")).get("spot_instance_type"));
    }

    private static int port(Object value)
    {
        return ((Number) value).intValue();
    }
}
