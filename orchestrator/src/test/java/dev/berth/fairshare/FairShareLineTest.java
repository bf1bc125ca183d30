package dev.berth.fairshare;

import dev.berth.config.FairShare;
import dev.berth.job.Claim;
import dev.berth.job.JobState;
import dev.berth.job.Resources;
import dev.berth.testing.InMemoryQueue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class FairShareLineTest
{
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Resources CPU = new Resources(1, 1L << 30, 0);
    private static final FairShare EQUAL = new FairShare(Duration.ofDays(7), 10, Map.of());

    private final InMemoryQueue queue = new InMemoryQueue();

    @Test
    void usersWithNoUseTakeTurnsOldestFirstAndEachUsersJobsStayInArrivalOrder()
    {
        for (int i = 1; i <= 4; i++) {
            queue.add("ada-" + i, "ada", 0);
        }
        queue.add("bob-1", "bob", 0);
        queue.add("bob-2", "bob", 0);

        assertThat(order(new UsageLedger(EQUAL), List.of(), 256)).containsExactly("ada-1", "bob-1", "ada-2", "bob-2", "ada-3", "ada-4");
    }

    @Test
    void aHeavyUsersBacklogDoesNotHideALightUsersJob()
    {
        UsageLedger ledger = new UsageLedger(EQUAL);
        ledger.charge("ada", CPU, NOW.minus(Duration.ofHours(10)), NOW.minus(Duration.ofHours(2)));
        for (int i = 1; i <= 300; i++) {
            queue.add("ada-" + i, "ada", 0);
        }
        queue.add("bob-1", "bob", 0);

        List<String> line = order(ledger, List.of(), 256);
        assertThat(line).hasSize(256).startsWith("bob-1", "ada-1", "ada-2");
    }

    @Test
    void aUserFarBelowTheOthersIsServedUntilCaughtUp()
    {
        UsageLedger ledger = new UsageLedger(EQUAL);
        // Three CPU-hours ago: each job taken counts as one, so bob gets three before ada's turn comes again
        ledger.charge("ada", new Resources(3, 1L << 30, 0), NOW.minus(Duration.ofHours(1)), NOW);
        queue.add("ada-1", "ada", 0);
        for (int i = 1; i <= 5; i++) {
            queue.add("bob-" + i, "bob", 0);
        }

        assertThat(order(ledger, List.of(), 256)).startsWith("bob-1", "bob-2", "bob-3", "ada-1", "bob-4");
    }

    @Test
    void priorityOrdersAUsersOwnJobsHigherFirstThenInArrivalOrder()
    {
        queue.add("low", "ada", -5);
        queue.add("plain", "ada", 0);
        queue.add("urgent-1", "ada", 7);
        queue.add("urgent-2", "ada", 7);

        assertThat(order(new UsageLedger(EQUAL), List.of(), 256)).containsExactly("urgent-1", "urgent-2", "plain", "low");
    }

    @Test
    void aLargerShareCarriesMoreUseBeforeItsUserWaits()
    {
        UsageLedger ledger = new UsageLedger(new FairShare(Duration.ofDays(7), 10, Map.of("ada", 4.0)));
        ledger.charge("ada", CPU, NOW.minus(Duration.ofHours(3)), NOW);
        ledger.charge("bob", CPU, NOW.minus(Duration.ofHours(1)), NOW);
        queue.add("bob-1", "bob", 0);
        queue.add("ada-1", "ada", 0);

        // ada: 3 CPU-hours over a share of 4; bob: 1 over 1
        assertThat(order(ledger, List.of(), 256)).startsWith("ada-1", "bob-1");
    }

    @Test
    void whatLiveJobsHaveHeldSoFarCountsAgainstTheirUser()
    {
        queue.add("ada-1", "ada", 0);
        queue.add("bob-1", "bob", 0);
        Claim adasRunning = new Claim(0, "ada-0", JobState.RUNNING, new Resources(0.5, 1L << 30, 1), Optional.empty(), Optional.empty(), 1, false,
                "ada", 0, Optional.of(NOW.minus(Duration.ofMinutes(6))));
        Claim bobsNotStarted = new Claim(0, "bob-0", JobState.SUBMITTED, new Resources(8, 1L << 30, 8), Optional.empty(), Optional.empty(), 1, false,
                "bob", 0, Optional.empty());

        assertThat(order(new UsageLedger(EQUAL), List.of(adasRunning, bobsNotStarted), 256)).containsExactly("bob-1", "ada-1");
    }

    @Test
    void eachPoolsLineIsCutOnItsOwnSoADeepQueueOfOneHidesNoOther()
    {
        for (int i = 1; i <= 10; i++) {
            queue.add("gpu-" + i, "ada", 0, Optional.of("gpu"), new Resources(1, 1L << 30, 1));
        }
        queue.add("cpu-1", "ada", 0);
        queue.add("cpu-2", "bob", 0);

        List<String> line = order(new UsageLedger(EQUAL), List.of(), 3);
        assertThat(line).filteredOn(id -> id.startsWith("gpu-")).containsExactly("gpu-1", "gpu-2", "gpu-3");
        assertThat(line).filteredOn(id -> id.startsWith("cpu-")).containsExactlyInAnyOrder("cpu-1", "cpu-2");
    }

    @Test
    void readsTheNextJobsOfOnlyTheUsersItTakesFrom()
    {
        // A thousand users, each having used the fleet a little more than the one before, all far less than a job taken counts
        UsageLedger ledger = new UsageLedger(EQUAL);
        for (int user = 0; user < 1000; user++) {
            ledger.charge("u" + user, CPU, NOW.minusSeconds(3 * user), NOW);
            for (int i = 0; i < 5; i++) {
                queue.add("u" + user + "-" + i, "u" + user, 0);
            }
        }

        assertThat(order(ledger, List.of(), 256)).hasSize(256).startsWith("u0-0", "u1-0", "u2-0").endsWith("u255-0");
        // the pools, the pool's users, and the first jobs of the 256 users the line reached, 64 users at a time
        assertThat(queue.reads()).isEqualTo(2 + 4);

        // users of equal standing are read together, so that the oldest job among them goes first
        InMemoryQueue equals = new InMemoryQueue();
        for (int user = 99; user >= 0; user--) {
            equals.add("e" + user, "u" + user, 0);
        }
        assertThat(new FairShareLine(new UsageLedger(EQUAL)).order(equals, List.of(), NOW, 10).stream().map(Claim::jobId))
                .containsExactly("e99", "e98", "e97", "e96", "e95", "e94", "e93", "e92", "e91", "e90");

        // three users taking turns: the next jobs of all three are read together, once a turn
        InMemoryQueue few = new InMemoryQueue();
        for (int i = 0; i < 30; i++) {
            few.add("j" + i, "u" + i % 3, 0);
        }
        assertThat(new FairShareLine(new UsageLedger(EQUAL)).order(few, List.of(), NOW, 256)).hasSize(30);
        assertThat(few.reads()).isEqualTo(3 + 10);
    }

    private List<String> order(UsageLedger ledger, List<Claim> live, int perPool)
    {
        return new FairShareLine(ledger).order(queue, live, NOW, perPool).stream().map(Claim::jobId).toList();
    }
}
