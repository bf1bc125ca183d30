package dev.berth.bench;

import dev.berth.testing.GitDaemon;
import org.awaitility.core.ConditionTimeoutException;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

/**
 * Slurm from the machine's packages, as a peer to measure berth beside: its own munged, slurmctld and slurmd,
 * one node of this machine's CPUs, every file in a directory of its own but munged's socket. Its commands find it through
 * {@code SLURM_CONF}, so the machine's own Slurm configuration, if any, stays as it is. It installs nothing:
 * {@code bench/run} does ({@code scripts/setup-local.sh --bench}).
 */
final class SlurmPeer
        implements AutoCloseable
{
    private static final List<String> COMMANDS = List.of("mungekey", "munged", "slurmd", "slurmctld", "sbatch", "squeue", "scancel", "sinfo");
    private static final Duration START = Duration.ofMinutes(1);
    /** Long enough for the jobs of a failed run to be cancelled and end; their containers are a no-op. */
    private static final Duration CANCEL = Duration.ofSeconds(30);

    private final Path dir;
    /** munged's socket: every directory above it must let every user through, which the bench's own does not. */
    private final Path mungeSocketDir;
    private final Map<String, String> environment;
    /** In the order they started; stopped the other way round. */
    private final List<Process> daemons = new ArrayList<>();

    private SlurmPeer(Path dir, Path mungeSocketDir)
    {
        this.dir = requireNonNull(dir, "dir is null");
        this.mungeSocketDir = requireNonNull(mungeSocketDir, "mungeSocketDir is null");
        this.environment = Map.of("SLURM_CONF", dir.resolve("slurm.conf").toString());
    }

    /**
     * Starts the three daemons in {@code dir} and waits for the node to be idle.
     *
     * @param schedulerParameters slurm.conf's {@code SchedulerParameters}; none for Slurm as shipped
     */
    static SlurmPeer start(Path dir, List<String> schedulerParameters)
            throws IOException, InterruptedException
    {
        requireInstalled();
        Files.createDirectories(dir);
        SlurmPeer slurm = new SlurmPeer(dir, Files.createTempDirectory("berth-munge", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx--x--x"))));
        try {
            slurm.startMunge();
            slurm.writeConfiguration(schedulerParameters);
            slurm.startDaemon("slurmctld");
            slurm.startDaemon("slurmd");
            try {
                await().atMost(START).pollInterval(Duration.ofMillis(100)).until(() -> slurm.nodeState().equals("idle"));
            }
            catch (ConditionTimeoutException e) {
                throw new IllegalStateException("Slurm's node was not idle within " + START.toSeconds() + " s of its start; see the logs in " + dir, e);
            }
            return slurm;
        }
        catch (IOException | InterruptedException | RuntimeException e) {
            slurm.close();
            throw e;
        }
    }

    /** What a Slurm command needs in its environment to reach this cluster. */
    Map<String, String> environment()
    {
        return environment;
    }

    /** Runs {@code sbatch --parsable} with {@code arguments}; returns the job's id. */
    String submit(List<String> arguments, Map<String, String> jobEnvironment)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>(List.of("sbatch", "--parsable"));
        command.addAll(arguments);
        return run(command, jobEnvironment);
    }

    /** Cancels the jobs of that name, queued or running. */
    void cancel(String jobName)
            throws IOException, InterruptedException
    {
        run(List.of("scancel", "--name=" + jobName), Map.of());
    }

    /** Whether Slurm holds no job that has not ended: none queued, running or completing. */
    boolean idle()
            throws IOException, InterruptedException
    {
        return run(List.of("squeue", "--noheader", "--format=%i"), Map.of()).isEmpty();
    }

    void awaitIdle(Duration atMost)
    {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(this::idle);
    }

    private static void requireInstalled()
    {
        List<String> missing = COMMANDS.stream().filter(command -> !onPath(command)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Slurm's " + String.join(", ", missing)
                    + " not found: install slurm-wlm and munge (apt-get install -y slurm-wlm munge; bench/run does)");
        }
    }

    private static boolean onPath(String command)
    {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(directory -> !directory.isEmpty() && Files.isExecutable(Path.of(directory, command)));
    }

    /**
     * A key and a socket of its own: the machine's munged, if one runs, is another realm's. As root, as the bench runs,
     * so that its key, seed and log can stay in the bench's own directory, which no other user may enter.
     */
    private void startMunge()
            throws IOException, InterruptedException
    {
        Path munge = Files.createDirectories(dir.resolve("munge"));
        Path key = munge.resolve("munge.key");
        run(List.of("mungekey", "--create", "--keyfile=" + key), Map.of());
        Path socket = mungeSocket();
        launch("munged", List.of("munged", "--foreground", "--socket=" + socket, "--key-file=" + key, "--log-file=" + munge.resolve("munged.log"),
                "--pid-file=" + munge.resolve("munged.pid"), "--seed-file=" + munge.resolve("munged.seed")));
        await().atMost(START).pollInterval(Duration.ofMillis(20)).until(() -> Files.exists(socket));
    }

    /** Single node, this machine, as {@code slurmd -C} describes it; no accounting; ports free now, not Slurm's defaults, which a Slurm of the machine may hold. */
    private void writeConfiguration(List<String> schedulerParameters)
            throws IOException, InterruptedException
    {
        // Its first line is the node as slurmd sees it (name, CPUs, cores, memory); the second its uptime
        String node = run(List.of("slurmd", "-C"), Map.of()).lines().findFirst().orElseThrow(() -> new IllegalStateException("slurmd -C printed nothing"));
        String host = node.substring("NodeName=".length(), node.indexOf(' '));
        List<String> lines = new ArrayList<>(List.of(
                "ClusterName=berthbench",
                "SlurmctldHost=" + host,
                "SlurmctldPort=" + GitDaemon.freePort(),
                "SlurmdPort=" + GitDaemon.freePort(),
                // The bench's user, root: every file below is in a directory only it may enter
                "SlurmUser=root",
                "AuthType=auth/munge",
                "AuthInfo=socket=" + mungeSocket(),
                "StateSaveLocation=" + Files.createDirectories(dir.resolve("state")),
                "SlurmdSpoolDir=" + Files.createDirectories(dir.resolve("spool")),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("slurmd.log"),
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core",
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "MailProg=/bin/true",
                "ReturnToService=2",
                node,
                "PartitionName=bench Nodes=ALL Default=YES MaxTime=INFINITE State=UP"));
        if (!schedulerParameters.isEmpty()) {
            lines.add("SchedulerParameters=" + String.join(",", schedulerParameters));
        }
        Files.write(dir.resolve("slurm.conf"), lines);
    }

    /** In the foreground, so that the bench holds each daemon as a process of its own and stops it by that handle. */
    private void startDaemon(String name)
            throws IOException
    {
        launch(name, List.of(name, "-D", "-f", environment.get("SLURM_CONF")));
    }

    private void launch(String name, List<String> command)
            throws IOException
    {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile());
        builder.environment().putAll(environment);
        daemons.add(builder.start());
    }

    private Path mungeSocket()
    {
        return mungeSocketDir.resolve("munge.socket");
    }

    private String nodeState()
            throws IOException, InterruptedException
    {
        for (Process daemon : daemons) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException(daemon.info().command().orElse("a Slurm daemon") + " exited with " + daemon.exitValue()
                        + " while starting; see its log in " + dir);
            }
        }
        // Until slurmctld answers, sinfo fails: not yet up
        ProcessBuilder builder = new ProcessBuilder("sinfo", "--noheader", "--format=%T").redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String state = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return process.waitFor() == 0 ? state : "";
    }

    /** Runs a command to its end, with this cluster's environment; returns what it printed; throws, with its errors, if it failed. */
    private String run(List<String> command, Map<String, String> extraEnvironment)
            throws IOException, InterruptedException
    {
        Path errors = dir.resolve("command.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
        builder.environment().putAll(environment);
        builder.environment().putAll(extraEnvironment);
        Process process = builder.start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + Files.readString(errors).strip());
        }
        return printed;
    }

    /** Cancels what is left of a failed run's jobs, then stops slurmd, slurmctld and munged, each by its handle. */
    @Override
    public void close()
            throws InterruptedException
    {
        try {
            if (daemons.size() == 3 && daemons.stream().allMatch(Process::isAlive) && !idle()) {
                run(List.of("scancel", "--user=" + System.getProperty("user.name")), Map.of());
                awaitIdle(CANCEL);
            }
        }
        catch (IOException | RuntimeException e) {
            System.err.println("bench: Slurm's jobs were not all cancelled (" + e.getMessage() + "); stopping its daemons anyway");
        }
        finally {
            for (int i = daemons.size() - 1; i >= 0; i--) {
                Process daemon = daemons.get(i);
                daemon.destroy();
                if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly().waitFor();
                }
            }
            deleteMungeSocketDir();
        }
    }

    private void deleteMungeSocketDir()
    {
        try (Stream<Path> files = Files.walk(mungeSocketDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        catch (IOException e) {
            System.err.println("bench: " + mungeSocketDir + " was not deleted: " + e.getMessage());
        }
    }
}
