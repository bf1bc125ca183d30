package dev.berth.fleet;

import dev.berth.job.Job;
import dev.berth.job.JobState;
import dev.berth.testing.BerthHarness;
import dev.berth.testing.GitRepos;
import dev.berth.testing.MetadataStandIn;
import dev.berth.testing.SwarmTestbed;
import dev.berth.testing.SwarmTestbed.JobNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The docker_config role's rules keep a job's container from the fleet's sensitive endpoints, proven on
 * the multi-node test bed with its nodes' Docker networking as on a fleet member (Docker's bridge and
 * its own iptables rules, each node's in its own network namespace). The role's script, rendered from
 * its template with the role's defaults, runs in a worker's namespace as its unit runs it there. A berth
 * job on that worker then tries each endpoint: the metadata address (a stand-in on another node, routed
 * there as EC2's is), the manager's real Swarm ports, the worker's own gossip port (reached through
 * INPUT, not forwarded), a stand-in Lustre server on the manager, and a web server there that jobs may
 * reach. The same job before the rules, and the same probes from the worker's namespace itself, reach
 * every one: the stand-ins were up and the refusals are the rules' doing. UDP (7946, 4789) is not
 * probed: a dropped datagram and one nobody answers look alike from the sender.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainmentTestbedIntegrationTest
{
    private static final Path ROLE = Path.of("..", "ansible", "roles", "docker_config").toAbsolutePath();
    private static final String MANAGER = "tb-manager";
    private static final String METADATA_ADDRESS = "169.254.169.254";
    private static final int LUSTRE_PORT = 988;
    private static final int OPEN_WEB_PORT = 8080;
    private static final String OPEN_WEB_BODY = "open egress";
    /** A job's probe that timed out: the rules drop the connection; a port nobody listens on would answer "Connection refused". */
    private static final String DROPPED = "not reached: nc: timed out";

    @TempDir
    static Path temp;

    private SwarmTestbed testbed;
    private BerthHarness berth;
    private GitRepos repo;
    private String worker;
    private Map<String, Target> sensitive;
    private Target openWeb;
    private final List<Process> standIns = new ArrayList<>();

    private record Target(String name, String address, int port) {}

    @BeforeAll
    void start()
            throws Exception
    {
        testbed = SwarmTestbed.start(1, List.of("spot"), 0, Duration.ofSeconds(1), JobNetwork.BRIDGE);
        worker = testbed.workers().get(0);
        String managerAddress = address(MANAGER);
        String workerAddress = address(worker);
        sensitive = new LinkedHashMap<>();
        for (Target target : List.of(
                new Target("metadata", METADATA_ADDRESS, 80),
                new Target("swarm-control", managerAddress, 2377),
                new Target("swarm-gossip", managerAddress, 7946),
                new Target("own-swarm-gossip", workerAddress, 7946),
                new Target("lustre", managerAddress, LUSTRE_PORT))) {
            sensitive.put(target.name(), target);
        }
        openWeb = new Target("open-web", managerAddress, OPEN_WEB_PORT);

        startStandIns(managerAddress);
        repo = GitRepos.create(temp.resolve("repo"));
        repo.commit(Map.of("probe.sh", probeScript()));
        berth = BerthHarness.start(temp.resolve("berth"), Map.of("BERTH_DOCKER_HOST", testbed.managerDockerHost()));
    }

    @AfterAll
    void stop()
            throws Exception
    {
        for (Process standIn : standIns) {
            standIn.destroy();
            standIn.waitFor(10, TimeUnit.SECONDS);
        }
        if (berth != null) {
            berth.close();
        }
        if (repo != null) {
            repo.close();
        }
        // The rules, the route and the stand-ins' address live only in the nodes' network namespaces, which go with the test bed
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void theRolesRulesKeepAJobFromMetadataSwarmAndLustreAndLeaveOtherEgressOpen()
            throws Exception
    {
        long started = System.nanoTime();
        Map<String, String> before = probeFromAJob("before-rules");
        assertThat(before).as("without the rules the job reaches everything").containsOnlyKeys(names()).allSatisfy((name, result) -> assertThat(result).isEqualTo("reached"));

        List<String> applied = testbed.inNode(worker, "sh", renderRulesScript().toString());
        assertThat(applied).as("what the script added").anyMatch(line -> line.startsWith("added: DOCKER-USER ")).anyMatch(line -> line.startsWith("added: INPUT -i docker0 "));
        assertThat(testbed.inNode(worker, "sh", renderRulesScript().toString())).as("applied again, as at each Docker start").containsExactly("rules added: 0");

        Map<String, String> after = probeFromAJob("after-rules");
        assertThat(after).containsOnlyKeys(names());
        assertThat(after.get(openWeb.name())).as("other egress stays open").isEqualTo("reached");
        for (String name : sensitive.keySet()) {
            assertThat(after.get(name)).as(name + " " + sensitive.get(name) + " from the job's container").isEqualTo(DROPPED);
        }

        // The worker itself, outside any container, still reaches all of them: the stand-ins were up throughout
        for (Target target : sensitive.values()) {
            assertThat(reachableFromWorker(target)).as(target + " from " + worker + "'s own namespace").isTrue();
        }
        System.out.printf("containment: %d endpoints reached from a job before the rules, dropped after; open egress kept; %d ms%n",
                sensitive.size(), (System.nanoTime() - started) / 1_000_000);
    }

    /** Runs the probe as a berth job on the worker and returns each target's line, by target. */
    private Map<String, String> probeFromAJob(String jobId)
            throws IOException
    {
        berth.send("{\"job_id\": \"" + jobId + "\", \"repo_uri\": \"" + repo.fileUrl() + "\", \"branch\": \"main\", \"entrypoint\": \"probe.sh\", \"pool\": \"spot\"}");
        Job job = berth.awaitState(jobId, EnumSet.of(JobState.SUCCEEDED), Duration.ofSeconds(60));
        assertThat(berth.store().reads().attempts(jobId).get(0).node()).contains(worker);
        Map<String, String> results = new LinkedHashMap<>();
        Pattern line = Pattern.compile("(\\S+) (reached|not reached: .*)");
        for (String output : Files.readAllLines(job.runDir().orElseThrow().resolve("stdout.txt"))) {
            Matcher matcher = line.matcher(output);
            assertThat(matcher.matches()).as("a probe's line: " + output).isTrue();
            results.put(matcher.group(1), matcher.group(2));
        }
        return results;
    }

    /**
     * Every target tried at once, two seconds each: a connection from nc for the sensitive ones, the web
     * server's document for the open one. A dropped connection shows as nc's "timed out".
     */
    private String probeScript()
    {
        StringBuilder script = new StringBuilder("""
                #!/bin/sh
                connect() {
                    if out=$(nc -w 2 "$2" "$3" </dev/null 2>&1); then echo "$1 reached"; else echo "$1 not reached: $out"; fi
                }
                fetch() {
                    body=$(printf 'GET /open.txt HTTP/1.0\\r\\n\\r\\n' | nc -w 2 "$2" "$3" 2>&1)
                    if echo "$body" | grep -qx '%s'; then echo "$1 reached"; else echo "$1 not reached: $(echo "$body" | tail -n 1)"; fi
                }
                """.formatted(OPEN_WEB_BODY));
        for (Target target : sensitive.values()) {
            script.append("connect %s %s %d &\n".formatted(target.name(), target.address(), target.port()));
        }
        script.append("fetch %s %s %d &\n".formatted(openWeb.name(), openWeb.address(), openWeb.port()));
        script.append("wait\n");
        return script.toString();
    }

    /**
     * The role's script as Ansible's template module writes it: each {@code {{ variable }}} from the role's
     * defaults. Anything else of Jinja in the template fails the test rather than being run unrendered.
     */
    private static Path renderRulesScript()
            throws IOException
    {
        Map<String, String> defaults = new LinkedHashMap<>();
        Matcher entry = Pattern.compile("(?m)^(docker_config_blocked_\\w+): \"?([^\"\\n]*)\"?$").matcher(Files.readString(ROLE.resolve("defaults/main.yml")));
        while (entry.find()) {
            defaults.put(entry.group(1), entry.group(2));
        }
        Matcher variable = Pattern.compile("\\{\\{ (\\w+) }}").matcher(Files.readString(ROLE.resolve("templates/berth-docker-user-rules.j2")));
        String rendered = variable.replaceAll(match -> {
            String value = defaults.get(match.group(1));
            assertThat(value).as("the role's default for " + match.group(1)).isNotNull();
            return Matcher.quoteReplacement(value);
        });
        assertThat(rendered).as("the rendered script").doesNotContain("{{", "{%");
        Path script = temp.resolve("berth-docker-user-rules");
        Files.writeString(script, rendered);
        return script;
    }

    /**
     * The stand-ins, all on the manager: another host, as the metadata service is to an EC2 instance, which
     * reaches it through its network interface. The worker routes 169.254.169.254 there, so a container's
     * packets to it are forwarded through DOCKER-USER, as on the fleet.
     */
    private void startStandIns(String managerAddress)
            throws Exception
    {
        testbed.inNode(MANAGER, "ip", "addr", "add", METADATA_ADDRESS + "/32", "dev", "lo");
        testbed.inNode(worker, "ip", "route", "add", METADATA_ADDRESS + "/32", "via", managerAddress);
        Path metadataLog = temp.resolve("metadata.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        String classes = Path.of(MetadataStandIn.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        standIns.add(testbed.startInNode(MANAGER, Map.of(), metadataLog, java, "-cp", classes, MetadataStandIn.class.getName(), METADATA_ADDRESS, "80", "{}"));

        Path documents = Files.createDirectories(temp.resolve("www"));
        Files.writeString(documents.resolve("open.txt"), OPEN_WEB_BODY + "\n");
        for (int port : List.of(LUSTRE_PORT, OPEN_WEB_PORT)) {
            standIns.add(testbed.startInNode(MANAGER, Map.of(), temp.resolve("httpd-" + port + ".log"),
                    "busybox", "httpd", "-f", "-p", managerAddress + ":" + port, "-h", documents.toString()));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(metadataLog).contains("serving http://" + METADATA_ADDRESS + ":80"));
        await().atMost(Duration.ofSeconds(10)).until(() -> reachableFromWorker(sensitive.get("lustre")) && reachableFromWorker(openWeb));
    }

    private boolean reachableFromWorker(Target target)
    {
        try {
            testbed.inNode(worker, "sh", "-c", "busybox nc -w 2 \"$0\" \"$1\" </dev/null", target.address(), Integer.toString(target.port()));
            return true;
        }
        catch (IllegalStateException e) {
            return false;
        }
    }

    /** The node's address on the test bed's network. */
    private String address(String node)
    {
        String line = String.join(" ", testbed.inNode(node, "ip", "-4", "-o", "addr", "show", "dev", "eth0"));
        Matcher matcher = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(line);
        assertThat(matcher.find()).as("an address of " + node + " in: " + line).isTrue();
        return matcher.group(1);
    }

    private List<String> names()
    {
        List<String> names = new ArrayList<>(sensitive.keySet());
        names.add(openWeb.name());
        return names;
    }
}
