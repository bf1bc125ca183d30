package dev.berth.stats;

import dev.berth.stats.StatsReport.DepthSample;
import dev.berth.store.StatsReads.JobSpan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How deep the queue was over a window, rebuilt from the stored times alone. A job waits from its
 * receipt until its first start, or its end if it never started: at instant t it counts if it was
 * received at or before t and had neither started nor ended by then (a job put back in the queue after
 * a lost worker has started, so it does not count again: the store keeps only its first start). The
 * jobs that waited at any time in the window are those whose wait ended in it (first started, or ended
 * unstarted) and those still waiting; every other job's wait lies wholly before the window. With R the
 * sorted receipts of those jobs and E the sorted ends of their waits, the depth at t is
 * {@code #(R ≤ t) − #(E ≤ t)}: a wait that ended by t was received by then too, so it cancels. Two binary
 * searches a sample, however many jobs.
 */
final class QueueDepth
{
    private QueueDepth() {}

    static List<DepthSample> sample(List<Instant> samples, List<JobSpan> endedWaits, List<Long> stillWaiting)
    {
        long[] receipts = new long[endedWaits.size() + stillWaiting.size()];
        long[] ends = new long[endedWaits.size()];
        for (int i = 0; i < endedWaits.size(); i++) {
            JobSpan wait = endedWaits.get(i);
            receipts[i] = wait.fromMillis();
            // A start stamped before the receipt (the clocks of two machines) ends the wait at the receipt: never negative
            ends[i] = Math.max(wait.fromMillis(), wait.toMillis());
        }
        for (int i = 0; i < stillWaiting.size(); i++) {
            receipts[endedWaits.size() + i] = stillWaiting.get(i);
        }
        Arrays.sort(receipts);
        Arrays.sort(ends);
        List<DepthSample> depth = new ArrayList<>(samples.size());
        for (Instant at : samples) {
            long t = at.toEpochMilli();
            depth.add(new DepthSample(at, atOrBefore(receipts, t) - atOrBefore(ends, t)));
        }
        return depth;
    }

    /** How many of the sorted {@code values} are at most {@code limit}. */
    private static int atOrBefore(long[] values, long limit)
    {
        int low = 0;
        int high = values.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (values[middle] <= limit) {
                low = middle + 1;
            }
            else {
                high = middle;
            }
        }
        return low;
    }
}
