package dev.berth.bench;

import dev.berth.testing.GitRepos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * {@code berth submit} as people call {@code sbatch}: one new process per request, in a shell loop,
 * while {@code berth serve} runs (which answers it over {@code cli.sock}); then the same number of
 * requests in one {@code berth submit --file}. berth runs on its embedded queue; the requests name a
 * pool no node carries, so they are recorded and wait, costing Swarm nothing.
 */
final class SubmitPerProcessScenario
        implements Scenario
{
    /** Prints each call's milliseconds on a line of its own, timed by the shell itself, as a user's loop would run. */
    private static final String LOOP = """
            i=0
            while [ $i -lt "$COUNT" ]; do
                start=$(date +%s%N)
                "$BERTH" submit --state-dir="$STATE" --repo "$REPO" --entrypoint "$ENTRYPOINT" --pool none --job-id "$PREFIX-$i" >/dev/null || exit 1
                end=$(date +%s%N)
                echo $(( (end - start) / 1000 ))
                i=$((i + 1))
            done
            """;

    @Override
    public String name()
    {
        return "submit-per-process";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        Path dir = bench.work().resolve(name());
        List<Row> rows = new ArrayList<>();
        int count = bench.size(100, 30);
        try (GitRepos repo = Bench.noOpRepository(dir.resolve("repo"));
                BerthUnderTest berth = BerthUnderTest.startEmbedded(dir.resolve("berth"), bench.testbed().managerDockerHost())) {
            // Untimed: the launcher's first run of submit after a build writes its class-data archive
            loop(bench, berth, repo, "warm-up", 2);
            awaitStored(berth, 2);

            Samples each = new Samples();
            long start = System.nanoTime();
            loop(bench, berth, repo, "loop", count).forEach(each::add);
            awaitStored(berth, 2 + count);
            double loopRate = count / ((System.nanoTime() - start) / 1e9);
            rows.add(Row.of(name(), "`berth submit` one request per new process, " + count + " in a shell loop", "ms each", each)
                    .target("median ≤ 150 ms", each.median() <= 150)
                    .note(String.format("p95 %.0f ms; %.1f jobs/s into state", each.percentile(95), loopRate)));

            Path file = dir.resolve("requests.jsonl");
            Files.write(file, IntStream.range(0, count).mapToObj(i -> Requests.parked(repo.fileUrl(), "file-" + i)).toList());
            start = System.nanoTime();
            double fileMillis = Processes.timed(List.of(bench.projectRoot().resolve("berth").toString(), "submit", "--file", file.toString(),
                    "--state-dir=" + berth.stateDir()), bench.projectRoot());
            awaitStored(berth, 2 + 2 * count);
            double fileRate = count / ((System.nanoTime() - start) / 1e9);
            rows.add(Row.single(name(), "`berth submit --file` of the same " + count + " requests at once", "jobs/s", fileRate)
                    .note(String.format("the command itself %.0f ms", fileMillis)));
        }
        return rows;
    }

    /** Runs the shell loop of {@code count} submits; returns each call's time in milliseconds. */
    private static List<Double> loop(Bench bench, BerthUnderTest berth, GitRepos repo, String prefix, int count)
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", LOOP).directory(bench.projectRoot().toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(Map.of("COUNT", String.valueOf(count), "BERTH", bench.projectRoot().resolve("berth").toString(),
                "STATE", berth.stateDir().toString(), "REPO", repo.fileUrl(), "ENTRYPOINT", Requests.NO_OP_ENTRYPOINT, "PREFIX", prefix));
        Process process = builder.start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("the loop of berth submit exited with " + process.exitValue());
        }
        return printed.lines().map(line -> Long.parseLong(line.trim()) / 1000.0).toList();
    }

    private static void awaitStored(BerthUnderTest berth, int total)
    {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20)).until(() -> berth.stored() >= total);
    }
}
