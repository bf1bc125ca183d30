package dev.berth.metrics;

import dev.berth.queue.QueueMessage;
import dev.berth.testing.FakeJobQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CountedJobQueueTest
{
    private final FakeJobQueue fake = new FakeJobQueue();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final CountedJobQueue queue = new CountedJobQueue(fake, new BerthMetrics(meters));

    @Test
    void aFailedReceiveIsCountedAndStillThrownForIntakeToBackOff()
    {
        fake.unreachable(true);

        assertThatThrownBy(() -> queue.receive(Duration.ZERO, Duration.ofSeconds(60))).hasMessage("queue unreachable");
        assertThatThrownBy(() -> queue.receive(Duration.ZERO, Duration.ofSeconds(60))).hasMessage("queue unreachable");
        fake.unreachable(false);
        queue.receive(Duration.ZERO, Duration.ofSeconds(60));

        assertThat(meters.get("berth.sqs.receive.errors").counter().count()).isEqualTo(2);
    }

    @Test
    void eachMessageLeftUndeletedIsCounted()
    {
        fake.send("{}");
        fake.send("{}");
        fake.send("{}");
        List<QueueMessage> received = queue.receive(Duration.ZERO, Duration.ofSeconds(60));
        queue.delete(received.subList(0, 1));
        fake.refuseDeletes(true);

        assertThat(queue.delete(received.subList(1, 3))).hasSize(2);
        assertThat(meters.get("berth.sqs.delete.errors").counter().count()).isEqualTo(2);
    }
}
