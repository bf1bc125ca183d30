package dev.berth.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The sweep of {@link SweepScenario}'s 2,000-file repository while 10⁵ other jobs are queued, waiting for a
 * pool no node carries: what {@code berth serve} holds in memory then, its RSS each second and its peak.
 */
final class SweepDepthScenario
        implements Scenario
{
    @Override
    public String name()
    {
        return "sweep-depth";
    }

    @Override
    public List<Row> run(Bench bench)
            throws Exception
    {
        int queued = bench.size(100_000, 10_000);
        int jobs = bench.size(500, 40);
        Path dir = bench.work().resolve(name());
        Path large = dir.resolve("large");
        SweepScenario.LARGE.generate(large);
        GeneratedRepository.commitExecutable(large, Requests.NO_OP_ENTRYPOINT, Requests.NO_OP_SCRIPT);
        String largeUrl = large.toUri().toString().replaceFirst("^file:/+", "file:///");
        List<String> parked = IntStream.range(0, queued).mapToObj(i -> Requests.parked(largeUrl, "parked-" + i)).toList();
        Samples rss = new Samples();
        double peak;
        try (SweepScenario.Daemon berth = SweepScenario.Daemon.start(bench, dir.resolve("berth"), Map.of(), parked)) {
            berth.sweep("warm-up-", largeUrl, bench.size(50, 10));
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            try {
                sampler.scheduleAtFixedRate(() -> {
                    try {
                        rss.add(DepthScenario.memory(berth.pid(), "VmRSS") / 1024.0);
                    }
                    catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, 0, 1, TimeUnit.SECONDS);
                berth.sweep("sweep-", largeUrl, jobs);
            }
            finally {
                sampler.shutdown();
                sampler.awaitTermination(5, TimeUnit.SECONDS);
            }
            peak = DepthScenario.memory(berth.pid(), "VmHWM") / 1024.0;
        }
        String what = String.format("`berth serve` memory (RSS), %,d jobs queued, during a %d-job sweep of %d files", queued, jobs, SweepScenario.FILES);
        return List.of(Row.of(name(), what, "MB", rss).target("peak ≤ 512 MB", peak <= 512)
                .note(String.format("peak %.0f MB since its start (VmHWM)", peak)));
    }
}
