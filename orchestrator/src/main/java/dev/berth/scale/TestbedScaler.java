package dev.berth.scale;

import dev.berth.config.PoolType;
import dev.berth.swarm.SwarmNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The multi-node test bed's scaler: {@code testbed/swarm.sh add-worker} starts a real worker engine in a
 * namespace of its own and joins it to the swarm, with the pool's label and its instance type's GPUs;
 * {@code remove-worker} drains it, waits until it runs nothing, and takes it out of the swarm. Nothing but
 * berth removes the test bed's workers, so protection from scale-in has nothing to hold back there.
 */
public final class TestbedScaler
        implements Scaler
{
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

    private final Path script;
    private final Map<String, PoolType> types;
    private final String gpuKind;

    public TestbedScaler(Path script, List<PoolType> types, String gpuKind)
    {
        this.script = requireNonNull(script, "script is null");
        this.types = requireNonNull(types, "types is null").stream().collect(Collectors.toMap(PoolType::pool, type -> type));
        this.gpuKind = requireNonNull(gpuKind, "gpuKind is null");
    }

    @Override
    public PoolSize size(String pool)
    {
        return PoolSize.unbounded(workers(pool));
    }

    private int workers(String pool)
    {
        return (int) run("workers", "--pool", pool).lines().filter(line -> !line.isBlank()).count();
    }

    @Override
    public void grow(String pool, int workers)
    {
        PoolType type = requireNonNull(types.get(pool), () -> "no instance type for pool " + pool);
        for (int have = workers(pool); have < workers; have++) {
            run("add-worker", "--pool", pool, "--gpus", Integer.toString(type.gpus()), "--gpu-kind", gpuKind);
        }
    }

    @Override
    public void protect(String pool, List<SwarmNode> busy, List<SwarmNode> idle)
    {
        // Only berth removes the test bed's workers, and only drained idle ones
    }

    @Override
    public void remove(String pool, SwarmNode worker)
    {
        run("remove-worker", worker.hostname());
    }

    private String run(String... arguments)
    {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // The script's output is small (names, a few progress lines); read to its end, which comes with its exit
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + SCRIPT_TIMEOUT.toMinutes() + " minutes");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + process.exitValue() + ": " + text.strip());
            }
            return text;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
