package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the figures were measured on. */
final class Machine
{
    private Machine() {}

    static Map<String, String> describe(RawSwarm raw)
            throws IOException
    {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).strip())
                .findFirst().orElse("unknown"));
        machine.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        machine.put("memory", Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> String.format("%.1f GiB", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                .findFirst().orElse("unknown"));
        machine.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        machine.put("docker engine", raw.engineVersion());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return machine;
    }
}
