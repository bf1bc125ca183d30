package dev.berth.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checks the AWS Swarm module as far as can be done without providers: it parses, and it is wired as the fleet needs. */
class TerraformSwarmModuleTest
{
    private static final Path MODULE = Path.of("..", "terraform", "aws", "swarm");
    private static final Set<String> REQUIRED_WITHOUT_DEFAULT = Set.of("region", "availability_zone", "s3_bucket", "ssh_ingress_cidrs");

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
            throws IOException
    {
        // What keeps `terraform apply -var worker_count=N` from replacing the manager or the file system.
        assertThat(module.resourcesReferencing("worker_count")).containsExactly("aws_autoscaling_group.worker");
        assertThat(module.resourcesReferencing("burst_worker_count")).containsExactly("aws_autoscaling_group.burst_worker");
        assertThat(module.resourcesReferencing("gpu_worker_count")).containsExactly("aws_autoscaling_group.gpu_worker");
        assertThat(module.resourcesReferencing("worker_max")).isEmpty();
        // The manager's boot vars name the autoscaled groups, never a size: an apply that changes one leaves it alone
        assertThat(module.blockSource("resource", "aws_instance", "manager")).doesNotContainPattern("_count|_max|worker_group");
        Map<String, Map<String, Object>> groups = module.resources("aws_autoscaling_group");
        for (String pool : List.of("worker", "gpu_worker")) {
            // The count is the floor and the start; the max (the count when unset) is how far berth may grow the pool
            Map<String, Object> group = groups.get(pool);
            assertThat(String.valueOf(group.get("min_size"))).as(pool).isEqualTo("var." + pool + "_count");
            assertThat(String.valueOf(group.get("desired_capacity"))).as(pool).isEqualTo("var." + pool + "_count");
            assertThat(String.valueOf(group.get("max_size"))).as(pool).isEqualTo("local." + pool + "_max");
            assertThat(String.valueOf(group.get("name"))).as(pool).isEqualTo("local." + pool + "_group");
            // berth sets the desired capacity from then on: an apply must not set it back
            assertThat(module.blockSource("resource", "aws_autoscaling_group", pool)).containsPattern("ignore_changes\\s*=\\s*\\[desired_capacity\\]");
        }
        // A burst pool's floor is nothing: its count only starts the group, its workers end themselves when idle
        Map<String, Object> burst = groups.get("burst_worker");
        assertThat(burst).containsEntry("min_size", 0.0);
        assertThat(String.valueOf(burst.get("desired_capacity"))).isEqualTo("var.burst_worker_count");
        assertThat(String.valueOf(burst.get("max_size"))).isEqualTo("local.burst_worker_max");
        assertThat(String.valueOf(burst.get("name"))).isEqualTo("local.burst_worker_group");
        assertThat(module.blockSource("resource", "aws_autoscaling_group", "burst_worker"))
                .containsPattern("count\\s*=\\s*local\\.burst_worker_max > 0 \\? 1 : 0")
                .containsPattern("ignore_changes\\s*=\\s*\\[desired_capacity\\]");
        assertThat(String.valueOf(module.variables().get("burst_worker_count").get("description"))).contains("group's is 0");
        // hcl4j evaluates a validation's condition: it is checked in the source
        assertThat(Files.readString(MODULE.resolve("variables.tf")))
                .contains("condition     = var.burst_worker_max == null || try(var.burst_worker_max >= var.burst_worker_count, false)");
        for (String bound : List.of("worker_max", "gpu_worker_max", "burst_worker_max")) {
            assertThat(module.variables().get(bound)).as(bound).containsEntry("default", null);
        }
    }

    @Test
    void theFleetLivesInOneSubnetOfItsOwnVpc()
    {
        assertThat(module.resources("aws_vpc")).containsKey("fleet");
        Map<String, Object> subnet = module.resources("aws_subnet").get("fleet");
        assertThat(String.valueOf(subnet.get("vpc_id"))).isEqualTo("aws_vpc.fleet.id");
        assertThat(String.valueOf(subnet.get("availability_zone"))).isEqualTo("var.availability_zone");
        assertThat(module.resources("aws_route_table").get("fleet").toString()).contains("aws_internet_gateway.fleet.id");
        assertThat(String.valueOf(module.resources("aws_instance").get("manager").get("subnet_id"))).isEqualTo("aws_subnet.fleet.id");
        module.resources("aws_autoscaling_group").forEach((name, group) ->
                assertThat(String.valueOf(group.get("vpc_zone_identifier"))).as(name).isEqualTo("[aws_subnet.fleet.id]"));
        assertThat(module.resources("aws_fsx_lustre_file_system").get("shared").get("subnet_ids").toString()).isEqualTo("[aws_subnet.fleet.id]");
    }

    @Test
    void onlyTheManagerIsReachableFromTheInternetAndOnlyBySshAndMosh()
    {
        Map<String, Map<String, Object>> groups = module.resources("aws_security_group");
        assertThat(groups).containsKeys("manager_ssh", "fleet", "lustre", "lustre_client");
        assertThat(module.resources("aws_security_group_rule")).isEmpty();
        assertThat(module.resources("aws_vpc_security_group_ingress_rule")).isEmpty();
        Set<String> openToInternet = new TreeSet<>();
        groups.forEach((name, body) -> ingressRules(body).forEach(rule -> {
            if (rule.containsKey("cidr_blocks")) {
                openToInternet.add(name + ":" + rule.get("protocol") + ":" + port(rule.get("from_port")) + "-" + port(rule.get("to_port")));
            }
        }));
        assertThat(openToInternet).containsExactlyInAnyOrder("manager_ssh:tcp:22-22", "manager_ssh:udp:60000-61000");
        ingressRules(groups.get("manager_ssh")).forEach(rule ->
                assertThat(String.valueOf(rule.get("cidr_blocks"))).as("manager_ssh ingress").isEqualTo("var.ssh_ingress_cidrs"));
        // The operator's address must be given: no default may open the manager to everyone
        assertThat(module.variables().get("ssh_ingress_cidrs")).doesNotContainKey("default").containsKey("validation");

        Set<String> swarmPorts = new TreeSet<>();
        ingressRules(groups.get("fleet")).forEach(rule -> swarmPorts.add(rule.get("protocol") + ":" + port(rule.get("from_port"))));
        assertThat(swarmPorts).contains("tcp:2377", "tcp:7946", "udp:7946", "udp:4789");

        Map<String, Object> manager = module.resources("aws_instance").get("manager");
        assertThat(String.valueOf(manager.get("vpc_security_group_ids"))).contains("manager_ssh", "aws_security_group.lustre_client.id");
        for (Map.Entry<String, Map<String, Object>> template : module.resources("aws_launch_template").entrySet()) {
            assertThat(String.valueOf(template.getValue().get("vpc_security_group_ids"))).as("launch template %s", template.getKey())
                    .doesNotContain("manager_ssh")
                    .contains("aws_security_group.fleet.id", "aws_security_group.lustre_client.id");
        }
    }

    @Test
    void lustreIsOpenBothWaysBetweenTheFileSystemAndItsClients()
    {
        // AWS: the file system's group admits 988 and 1018-1023 from the clients and from itself,
        // and the clients' group admits the same ports from the file system's group.
        Map<String, Map<String, Object>> groups = module.resources("aws_security_group");
        assertThat(lustrePortsFrom(groups.get("lustre"), "aws_security_group.fleet.id")).containsExactly("988-988", "1018-1023");
        assertThat(ingressRules(groups.get("lustre"))).anySatisfy(rule -> assertThat(rule)
                .containsEntry("self", true).containsEntry("from_port", 988.0).containsEntry("to_port", 1023.0));
        assertThat(lustrePortsFrom(groups.get("lustre_client"), "aws_security_group.lustre.id")).containsExactly("988-988", "1018-1023");
        assertThat(ingressRules(groups.get("lustre_client"))).allSatisfy(rule -> assertThat(rule).doesNotContainKey("cidr_blocks"));
        assertThat(module.resources("aws_fsx_lustre_file_system").get("shared").get("security_group_ids").toString())
                .isEqualTo("[aws_security_group.lustre.id]");
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
    void everyVolumeIsEncrypted()
    {
        // Job inputs, images and berth's database sit on these volumes.
        Map<String, Object> manager = module.resources("aws_instance").get("manager");
        assertThat(TerraformModule.asMap(manager.get("root_block_device"))).containsEntry("encrypted", true);
        module.resources("aws_launch_template").forEach((name, template) -> {
            assertThat(blockList(template.get("block_device_mappings"))).as("template %s", name).isNotEmpty()
                    .allSatisfy(mapping -> assertThat(TerraformModule.asMap(mapping.get("ebs"))).containsEntry("encrypted", true));
        });
        assertThat(module.resources("aws_ebs_volume")).isEmpty();
    }

    @Test
    void launchTemplatesTagTheirInstancesAndVolumesWithTheCluster()
    {
        // The provider's default tags reach neither the instances a template launches nor their volumes.
        module.resources("aws_launch_template").forEach((name, template) -> {
            Map<String, Map<String, Object>> byType = new HashMap<>();
            blockList(template.get("tag_specifications")).forEach(spec -> byType.put(String.valueOf(spec.get("resource_type")), spec));
            assertThat(byType.keySet()).as("template %s", name).containsExactlyInAnyOrder("instance", "volume");
            byType.forEach((type, spec) -> assertThat(String.valueOf(TerraformModule.asMap(spec.get("tags")).get("berth:cluster")))
                    .as("template %s, %s tags", name, type).isEqualTo("var.cluster_name"));
            // Pool and lifecycle come from the group or the instance: one template serves several pools
            assertThat(String.valueOf(template.get("tag_specifications"))).as("template %s", name).doesNotContain("berth-pool", "berth-lifecycle");
        });
    }

    @Test
    void theGpuPoolMayLaunchSeveralInstanceTypes()
    {
        // Overrides replace the template's type, so the group lists it among them.
        assertThat(module.blockSource("resource", "aws_autoscaling_group", "gpu_worker"))
                .containsPattern("dynamic \"override\" \\{\\s*for_each\\s*=\\s*distinct\\(concat\\(\\[var\\.gpu_instance_type\\], var\\.gpu_alternative_instance_types\\)\\)")
                .containsPattern("instance_type\\s*=\\s*override\\.value");
        assertThat(module.variables().get("gpu_alternative_instance_types").get("default")).isEqualTo(List.of());
    }

    @Test
    void dataRepositoryAssociationsAreCreatedOneAfterTheOther()
    {
        // FSx takes one association change of a file system at a time; the provider fails the second of two in parallel.
        Map<String, Map<String, Object>> associations = module.resources("aws_fsx_data_repository_association");
        assertThat(associations.keySet()).containsExactlyInAnyOrder("runs", "data");
        assertThat(String.valueOf(associations.get("data").get("depends_on"))).isEqualTo("[aws_fsx_data_repository_association.runs]");
        assertThat(associations.get("runs")).doesNotContainKey("depends_on");
        assertThat(String.valueOf(module.resources("aws_instance").get("manager").get("depends_on")))
                .contains("aws_fsx_data_repository_association.runs", "aws_fsx_data_repository_association.data");
    }

    @Test
    void everyPoolIsASpotAutoScalingGroupAndOnlyTheManagerAnInstance()
    {
        Map<String, Map<String, Object>> instances = module.resources("aws_instance");
        assertThat(instances.keySet()).containsExactly("manager");
        assertThat(instances.get("manager")).doesNotContainKey("instance_market_options").containsKey("iam_instance_profile");
        assertThat(module.resources("aws_iam_instance_profile")).containsKey("manager");
        // A persistent spot request outlives the instance Terraform destroys; none may be made.
        assertThat(module.resources("aws_spot_instance_request")).isEmpty();
        assertThat(module.resources("aws_spot_fleet_request")).isEmpty();

        Map<String, Map<String, Object>> groups = module.resources("aws_autoscaling_group");
        assertThat(groups.keySet()).containsExactlyInAnyOrder("worker", "gpu_worker", "burst_worker");
        assertThat(launchTemplateOf(groups.get("worker"))).isEqualTo("aws_launch_template.worker");
        assertThat(launchTemplateOf(groups.get("burst_worker"))).isEqualTo("aws_launch_template.worker");
        assertThat(module.blockSource("resource", "aws_autoscaling_group", "gpu_worker")).contains("aws_launch_template.gpu_worker[0].id");
        assertThat(tags(groups.get("worker"))).containsEntry("berth-pool", "spot").containsEntry("berth-lifecycle", "spot");
        assertThat(tags(groups.get("gpu_worker"))).containsEntry("berth-pool", "gpu").containsEntry("berth-lifecycle", "spot");
        assertThat(tags(groups.get("burst_worker"))).containsEntry("berth-pool", "burst").containsEntry("berth-lifecycle", "burst");
        groups.forEach((name, group) -> {
            Map<String, Object> distribution = TerraformModule.asMap(TerraformModule.asMap(group.get("mixed_instances_policy")).get("instances_distribution"));
            assertThat(distribution).as("group %s buys spot only", name)
                    .containsEntry("on_demand_base_capacity", 0.0)
                    .containsEntry("on_demand_percentage_above_base_capacity", 0.0);
            assertThat(blockList(group.get("tag"))).as("group %s", name)
                    .allSatisfy(tag -> assertThat(tag).containsEntry("propagate_at_launch", true));
        });

        Map<String, Map<String, Object>> templates = module.resources("aws_launch_template");
        assertThat(templates.keySet()).containsExactlyInAnyOrder("worker", "gpu_worker");
        // A mixed instances policy refuses a template that itself asks for spot.
        templates.forEach((name, template) -> assertThat(template).as("template %s", name).doesNotContainKey("instance_market_options"));
        assertThat(String.valueOf(templates.get("gpu_worker").get("instance_type"))).isEqualTo("var.gpu_instance_type");
        // A rebalance recommendation must not terminate a worker and its running jobs
        groups.forEach((name, group) -> assertThat(group).as("group %s", name).doesNotContainKey("capacity_rebalance"));
    }

    @Test
    void theGpuImageIsLookedUpOnlyWhenGpuWorkersAreWantedAndNoneIsNamed()
    {
        assertThat(module.dataSources("aws_ami").get("gpu")).containsKey("count");
        assertThat(module.blockSource("data", "aws_ami", "gpu"))
                .containsPattern("count\\s*=\\s*local\\.gpu_worker_max > 0 && var\\.gpu_ami_id == \"\" \\? 1 : 0");
        // Wanted: a floor above 0, or a ceiling berth may grow the pool to from 0
        assertThat(module.blockSource("resource", "aws_launch_template", "gpu_worker"))
                .containsPattern("count\\s*=\\s*local\\.gpu_worker_max > 0 \\? 1 : 0")
                .contains("data.aws_ami.gpu[0].id");
        assertThat(module.blockSource("resource", "aws_autoscaling_group", "gpu_worker"))
                .containsPattern("count\\s*=\\s*local\\.gpu_worker_max > 0 \\? 1 : 0");
    }

    @Test
    void theUbuntuImageCanBePinnedSoTheKernelHasLustreModules()
    {
        // The latest image may boot a kernel for which FSx publishes no Lustre client modules yet.
        assertThat(module.blockSource("data", "aws_ami", "ubuntu"))
                .containsPattern("count\\s*=\\s*var\\.ubuntu_ami_id == \"\" \\? 1 : 0");
        assertThat(module.variables().get("ubuntu_ami_id")).containsEntry("default", "");
        assertThat(String.valueOf(module.resources("aws_instance").get("manager").get("ami"))).isEqualTo("local.ubuntu_ami");
        assertThat(String.valueOf(module.resources("aws_launch_template").get("worker").get("image_id"))).isEqualTo("local.ubuntu_ami");
        assertThat(module.outputs()).containsKey("ubuntu_ami_id");
    }

    @Test
    void aPlanNeedsNoLocalBuildOfBerth()
            throws IOException
    {
        // Reading the local jar (to hash it, say) would make every plan fail where berth is not built;
        // making the object conditional on the jar would plan to delete it there.
        Map<String, Object> jar = module.resources("aws_s3_object").get("berth_jar");
        assertThat(String.valueOf(jar.get("source"))).isEqualTo("local.berth_jar");
        assertThat(jar).doesNotContainKeys("source_hash", "etag", "count", "for_each");
        for (String file : module.fileNames()) {
            assertThat(Files.readString(MODULE.resolve(file))).as(file).doesNotContain("(local.berth_jar)");
        }
        assertThat(module.resources("aws_instance").get("manager").get("depends_on").toString()).contains("aws_s3_object.berth_jar");
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

    @Test
    void theManagerAndTheWorkersMayPullJobImagesFromEcr()
    {
        // berth asks ECR for a registry token with the manager's role and hands it to the workers with each service
        Map<String, Map<String, Object>> policies = module.dataSources("aws_iam_policy_document");
        for (String role : List.of("manager", "worker")) {
            Map<String, Map<String, Object>> statements = new HashMap<>();
            blockList(policies.get(role).get("statement")).forEach(statement -> statements.put(String.valueOf(statement.get("sid")), statement));
            assertThat(statements.get("RegistryToken")).as("%s's RegistryToken statement", role).isNotNull();
            assertThat(statements.get("RegistryToken").get("actions")).as(role).isEqualTo(List.of("ecr:GetAuthorizationToken"));
            // A token cannot be narrowed to a repository; the pulls can
            assertThat(statements.get("RegistryToken").get("resources")).as(role).isEqualTo(List.of("*"));
            assertThat(statements.get("RegistryPull")).as("%s's RegistryPull statement", role).isNotNull();
            assertThat(statements.get("RegistryPull").get("actions")).as(role)
                    .isEqualTo(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"));
            assertThat(String.valueOf(statements.get("RegistryPull").get("resources"))).as(role).isEqualTo("var.ecr_repository_arns");
        }
        assertThat(String.valueOf(module.variables().get("ecr_repository_arns").get("default"))).isEqualTo("[*]");
    }

    @Test
    void aWorkerThatCannotJoinMayMarkItselfUnhealthyInItsClustersGroups()
    {
        // The boot script gives up on a worker that cannot be set up; its group then replaces it.
        Map<String, Map<String, Object>> statements = new HashMap<>();
        blockList(module.dataSources("aws_iam_policy_document").get("worker").get("statement"))
                .forEach(statement -> statements.put(String.valueOf(statement.get("sid")), statement));
        Map<String, Object> unhealthy = statements.get("MarkSelfUnhealthy");
        assertThat(unhealthy).isNotNull();
        assertThat(unhealthy.get("actions")).isEqualTo(List.of("autoscaling:SetInstanceHealth"));
        Map<String, Object> condition = TerraformModule.asMap(unhealthy.get("condition"));
        assertThat(condition).containsEntry("variable", "autoscaling:ResourceTag/berth:cluster");
        assertThat(String.valueOf(condition.get("values"))).isEqualTo("[var.cluster_name]");
        module.resources("aws_autoscaling_group").forEach((name, group) ->
                assertThat(String.valueOf(tags(group).get("berth:cluster"))).as("group %s", name).isEqualTo("var.cluster_name"));
        // Only workers: the manager holds berth's database and is no group's
        assertThat(module.dataSources("aws_iam_policy_document").get("manager").toString()).doesNotContain("autoscaling:SetInstanceHealth");
    }

    @Test
    void anIdleBurstWorkerMayEndItselfOnlyThroughItsClustersBurstGroups()
    {
        // The agent terminates an idle burst worker with one fewer desired, so that its group launches none in its place
        Map<String, Map<String, Object>> statements = new HashMap<>();
        blockList(module.dataSources("aws_iam_policy_document").get("worker").get("statement"))
                .forEach(statement -> statements.put(String.valueOf(statement.get("sid")), statement));
        Map<String, Object> end = statements.get("EndSelfWhenIdle");
        assertThat(end).isNotNull();
        assertThat(end.get("actions")).isEqualTo(List.of("autoscaling:TerminateInstanceInAutoScalingGroup"));
        Map<String, Object> conditions = new HashMap<>();
        blockList(end.get("condition")).forEach(condition -> {
            assertThat(condition).containsEntry("test", "StringEquals");
            conditions.put(String.valueOf(condition.get("variable")), String.valueOf(condition.get("values")));
        });
        assertThat(conditions).containsExactlyInAnyOrderEntriesOf(Map.of(
                "autoscaling:ResourceTag/berth:cluster", "[var.cluster_name]",
                "autoscaling:ResourceTag/berth-pool", "[burst]"));
        // Only the burst group carries that pool tag: no spot or GPU worker may end itself, or another
        module.resources("aws_autoscaling_group").forEach((name, group) ->
                assertThat(String.valueOf(tags(group).get("berth-pool")).equals("burst")).as("group %s", name).isEqualTo(name.equals("burst_worker")));
        // Nothing else a worker may do to a group
        assertThat(statements.values().stream().filter(statement -> String.valueOf(statement.get("actions")).contains("autoscaling:")))
                .containsExactlyInAnyOrder(end, statements.get("MarkSelfUnhealthy"));
    }

    @Test
    void theManagerMayMakeExactlyBerthsScalingCallsOnThePoolsGroups()
    {
        Map<String, Map<String, Object>> statements = new HashMap<>();
        blockList(module.dataSources("aws_iam_policy_document").get("manager").get("statement"))
                .forEach(statement -> statements.put(String.valueOf(statement.get("sid")), statement));
        Map<String, Object> groups = statements.get("AutoscaleGroups");
        assertThat(groups.get("actions")).isEqualTo(List.of("autoscaling:SetDesiredCapacity", "autoscaling:SetInstanceProtection",
                "autoscaling:TerminateInstanceInAutoScalingGroup"));
        // hcl4j reads no splat expression: the groups' ARNs are checked in the source
        assertThat(module.blockSource("data", "aws_iam_policy_document", "manager")).containsPattern(
                "sid = \"AutoscaleGroups\"[^}]*resources = concat\\(\\[aws_autoscaling_group\\.worker\\.arn\\], aws_autoscaling_group\\.gpu_worker\\[\\*\\]\\.arn, "
                        + "aws_autoscaling_group\\.burst_worker\\[\\*\\]\\.arn\\)\\s*}");
        // The one call IAM cannot narrow to a resource, and it only reads
        Map<String, Object> describe = statements.get("AutoscaleDescribe");
        assertThat(describe.get("actions")).isEqualTo(List.of("autoscaling:DescribeAutoScalingGroups"));
        assertThat(describe.get("resources")).isEqualTo(List.of("*"));
        assertThat(statements.values().stream().filter(statement -> String.valueOf(statement.get("actions")).contains("autoscaling:")))
                .containsExactlyInAnyOrder(groups, describe);
    }

    private static List<Map<String, Object>> ingressRules(Map<String, Object> group)
    {
        return blockList(group.get("ingress"));
    }

    /** A repeatable nested block: hcl4j gives a list when it occurs more than once, the block itself when once. */
    private static List<Map<String, Object>> blockList(Object blocks)
    {
        if (blocks instanceof List<?> list) {
            return list.stream().map(TerraformModule::asMap).toList();
        }
        return blocks == null ? List.of() : List.of(TerraformModule.asMap(blocks));
    }

    private static List<String> lustrePortsFrom(Map<String, Object> group, String source)
    {
        List<String> ports = new ArrayList<>();
        ingressRules(group).forEach(rule -> {
            if (String.valueOf(rule.get("security_groups")).equals("[" + source + "]")) {
                assertThat(rule).containsEntry("protocol", "tcp");
                ports.add(port(rule.get("from_port")) + "-" + port(rule.get("to_port")));
            }
        });
        return ports;
    }

    private static String launchTemplateOf(Map<String, Object> group)
    {
        Map<String, Object> policy = TerraformModule.asMap(group.get("mixed_instances_policy"));
        Map<String, Object> specification = TerraformModule.asMap(TerraformModule.asMap(policy.get("launch_template")).get("launch_template_specification"));
        String id = String.valueOf(specification.get("launch_template_id"));
        assertThat(String.valueOf(specification.get("version"))).isEqualTo(id.replaceFirst("\\.id$", ".latest_version"));
        return id.replaceFirst("\\.id$", "");
    }

    /** Tags of an instance ({@code tags = {...}}) or of an Auto Scaling group ({@code tag} blocks). */
    private static Map<String, Object> tags(Map<String, Object> resource)
    {
        if (resource.containsKey("tags")) {
            return TerraformModule.asMap(resource.get("tags"));
        }
        Map<String, Object> tags = new HashMap<>();
        blockList(resource.get("tag")).forEach(tag -> tags.put(String.valueOf(tag.get("key")), tag.get("value")));
        return tags;
    }

    private static int port(Object value)
    {
        return ((Number) value).intValue();
    }
}
