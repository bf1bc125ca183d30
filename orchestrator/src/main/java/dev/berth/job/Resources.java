package dev.berth.job;

import dev.berth.config.Sizes;


/** What one job reserves on a node. Memory in bytes, CPUs as a fraction of cores. */
public record Resources(double cpus, long memoryBytes, int gpus)
{
    public Resources
    {
        if (!(cpus > 0)) {
            throw new IllegalArgumentException("cpus must be positive: " + cpus);
        }
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("memory must be positive: " + memoryBytes);
        }
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus must not be negative: " + gpus);
        }
    }

    public long nanoCpus()
    {
        return Math.round(cpus * 1e9);
    }

    @Override
    public String toString()
    {
        String cpuText = cpus == Math.rint(cpus) ? String.valueOf((long) cpus) : String.valueOf(cpus);
        return "cpus=" + cpuText + " memory=" + Sizes.format(memoryBytes) + " gpus=" + gpus;
    }
}
