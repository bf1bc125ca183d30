package dev.berth.stats;

import dev.berth.stats.StatsReport.DepthSample;
import dev.berth.store.StatsReads.JobSpan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How deep the queue was over a window, rebuilt from the stored times alone. A job waits from its
 * receipt until its first start, or its end if it never started: at instant t it counts if it was
 * received at or before t and had neither started nor ended by then (a job put back in the queue after
 * a lost worker has started, so it does not count again: the store keeps only its first start). The
 * jobs that waited at any time in the window are those whose wait ended in it (first started, or ended
 * unstarted) and those still waiting; every other job's wait lies wholly before the window. The depth at
 * sample t is then the jobs received by t less those whose wait ended by t (a wait that ended by t was
 * received by then too, so it cancels): each receipt and each end is counted at the first sample at or
 * after it, and the depth at a sample is the sum of those counts up to it. A binary search among the
 * samples per time, and no sort, however many jobs.
 */
final class QueueDepth
{
    private QueueDepth() {}

    static List<DepthSample> sample(List<Instant> samples, List<JobSpan> endedWaits, List<Long> stillWaiting)
    {
        long[] times = samples.stream().mapToLong(Instant::toEpochMilli).toArray();
        // Per sample: how many jobs were received, and how many stopped waiting, since the sample before
        long[] received = new long[times.length + 1];
        long[] left = new long[times.length + 1];
        for (JobSpan wait : endedWaits) {
            received[firstAtOrAfter(times, wait.fromMillis())]++;
            // A start stamped before the receipt (the clocks of two machines) ends the wait at the receipt: never negative
            left[firstAtOrAfter(times, Math.max(wait.fromMillis(), wait.toMillis()))]++;
        }
        for (long receipt : stillWaiting) {
            received[firstAtOrAfter(times, receipt)]++;
        }
        List<DepthSample> depth = new ArrayList<>(samples.size());
        long waiting = 0;
        for (int i = 0; i < times.length; i++) {
            waiting += received[i] - left[i];
            depth.add(new DepthSample(samples.get(i), waiting));
        }
        return depth;
    }

    /** The index of the first of the sorted {@code times} at or after {@code time}; their count when none is. */
    private static int firstAtOrAfter(long[] times, long time)
    {
        int low = 0;
        int high = times.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (times[middle] < time) {
                low = middle + 1;
            }
            else {
                high = middle;
            }
        }
        return low;
    }
}
