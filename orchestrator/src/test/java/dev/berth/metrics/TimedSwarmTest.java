package dev.berth.metrics;

import dev.berth.swarm.EngineException;
import dev.berth.testing.FakeSwarm;
import dev.berth.testing.TestingClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimedSwarmTest
{
    private final TestingClock clock = new TestingClock(Instant.parse("2026-03-04T05:06:07Z"));
    private final FakeSwarm fake = new FakeSwarm(clock).withNode(FakeSwarm.node("n1", 4, 16));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TimedSwarm swarm = new TimedSwarm(fake, new BerthMetrics(meters), clock);

    @Test
    void eachCallIsTimedByOperationAndAFailureApartFromTheSuccesses()
    {
        assertThat(swarm.nodes("GPU")).hasSize(1);
        swarm.nodes("GPU");
        fake.failListings(new EngineException("connection refused", 0));

        assertThatThrownBy(() -> swarm.tasks("instance")).hasMessage("connection refused");

        assertThat(meters.get("berth.swarm.request").tags("operation", "nodes", "outcome", "success").timer().count()).isEqualTo(2);
        assertThat(meters.get("berth.swarm.request").tags("operation", "tasks", "outcome", "error").timer().count()).isEqualTo(1);
        assertThat(meters.find("berth.swarm.request").tags("operation", "tasks", "outcome", "success").timer()).isNull();
    }
}
