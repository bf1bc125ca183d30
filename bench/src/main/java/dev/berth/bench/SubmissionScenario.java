package dev.berth.bench;

import dev.berth.cli.BerthCli;
import dev.berth.config.BerthConfig;
import dev.berth.queue.SqsJobQueue;
import dev.berth.testing.GitRepos;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * Requests into durable state: each rate runs from the first send until the last request is a row in
 * berth's database. berth runs on its embedded queue, as a first-time user has it; the requests name a
 * pool no node carries, so they are recorded and then wait, costing Swarm nothing.
 */
final class SubmissionScenario
        implements Scenario
{
    private static final int SENDERS = 4;

    @Override
    public String name()
    {
        return "submissions";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        Path dir = bench.work().resolve(name());
        List<Row> rows = new ArrayList<>();
        try (GitRepos repo = Bench.noOpRepository(dir.resolve("repo"));
                BerthUnderTest berth = BerthUnderTest.startEmbedded(dir.resolve("berth"), bench.testbed().managerDockerHost())) {
            IntFunction<String> request = i -> Requests.parked(repo.fileUrl(), "submit-" + i);
            int next = 1;

            int direct = bench.size(2000, 200);
            List<String> batch = IntStream.range(next, next + direct).mapToObj(request).toList();
            next += direct;
            double directRate = intoState(berth, direct, () -> sendConcurrently(berth.queue(), batch));
            rows.add(Row.single(name(), "SQS SendMessageBatch, " + SENDERS + " senders", "jobs/s", directRate).target("≥ 50/s", directRate >= 50));

            int fromFile = bench.size(1000, 100);
            Path file = dir.resolve("requests.jsonl");
            Files.write(file, IntStream.range(next, next + fromFile).mapToObj(request).toList());
            next += fromFile;
            List<String> fileCommand = berthCommand(bench, berth, "submit", "--file", file.toString());
            double fileRate = intoState(berth, fromFile, () -> Processes.timed(fileCommand, bench.projectRoot()));
            rows.add(Row.single(name(), "`berth submit --file` of " + fromFile + " requests (JSON Lines)", "jobs/s", fileRate)
                    .target("≥ 50/s", fileRate >= 50));

            int inProcess = bench.size(200, 20);
            int first = next;
            next += inProcess;
            double inProcessRate = intoState(berth, inProcess, () -> {
                PrintWriter discard = new PrintWriter(Writer.nullWriter());
                BerthCli cli = BerthCli.standard(BerthConfig.environment());
                for (int i = first; i < first + inProcess; i++) {
                    int exit = cli.execute(discard, discard, "submit", "--state-dir=" + berth.stateDir(), "--repo", repo.fileUrl(),
                            "--entrypoint", Requests.NO_OP_ENTRYPOINT, "--pool", "none", "--job-id", "submit-" + i);
                    if (exit != 0) {
                        throw new IllegalStateException("berth submit exited with " + exit);
                    }
                }
            });
            rows.add(Row.single(name(), "`berth submit` one request at a time, in the same JVM", "jobs/s", inProcessRate)
                    .target("≥ 50/s", inProcessRate >= 50));

            int processes = bench.size(30, 5);
            Samples perProcess = new Samples();
            int firstProcess = next;
            double processRate = intoState(berth, processes, () -> {
                for (int i = firstProcess; i < firstProcess + processes; i++) {
                    perProcess.add(Processes.timed(berthCommand(bench, berth, "submit", "--repo", repo.fileUrl(), "--entrypoint", Requests.NO_OP_ENTRYPOINT,
                            "--pool", "none", "--job-id", "submit-" + i), bench.projectRoot()));
                }
            });
            // Not held to the rate: each request pays a JVM's start and an SQS client's set-up, which is why many go with --file
            rows.add(Row.of(name(), "`berth submit` one request per new process (a shell loop)", "ms each", perProcess)
                    .note(String.format("%.1f jobs/s; many requests go with --file", processRate)));
        }
        return rows;
    }

    /** Runs {@code send} and returns how many requests per second reached the database, counted from the start of the sending. */
    private static double intoState(BerthUnderTest berth, int requests, Sender send)
            throws Exception
    {
        int before = berth.stored();
        long start = System.nanoTime();
        send.send();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() -> berth.stored() >= before + requests);
        return requests / ((System.nanoTime() - start) / 1e9);
    }

    private static void sendConcurrently(SqsJobQueue queue, List<String> requests)
            throws Exception
    {
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        try {
            List<Future<?>> sent = new ArrayList<>();
            int share = (requests.size() + SENDERS - 1) / SENDERS;
            for (int sender = 0; sender < SENDERS; sender++) {
                List<String> part = requests.subList(Math.min(requests.size(), sender * share), Math.min(requests.size(), (sender + 1) * share));
                // One message group per sender: SQS keeps order within a group, and groups are received in parallel
                String group = "bench-" + sender;
                sent.add(senders.submit(() -> queue.sendAll(Requests.outgoing(part), group)));
            }
            for (Future<?> future : sent) {
                future.get();
            }
        }
        finally {
            senders.shutdownNow();
        }
    }

    private static List<String> berthCommand(Bench bench, BerthUnderTest berth, String... args)
    {
        List<String> command = new ArrayList<>(List.of(bench.projectRoot().resolve("berth").toString()));
        command.addAll(List.of(args));
        command.add("--state-dir=" + berth.stateDir());
        return command;
    }

    @FunctionalInterface
    private interface Sender
    {
        void send()
                throws Exception;
    }
}
