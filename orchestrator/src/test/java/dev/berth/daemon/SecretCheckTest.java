package dev.berth.daemon;

import dev.berth.job.JobRequest;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.swarm.EngineException;
import dev.berth.testing.BadRequests;
import dev.berth.testing.FakeSwarm;
import dev.berth.testing.TestingClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The check intake and preparation make of a request's secrets, against an in-memory Swarm. */
class SecretCheckTest
{
    private final FakeSwarm swarm = new FakeSwarm(new TestingClock(Instant.parse("2026-03-04T05:06:07Z"))).withSecret("hf_token");

    @Test
    void namesEachMissingSecretWithHowToCreateIt()
            throws Exception
    {
        SecretCheck check = new SecretCheck(swarm);

        assertThat(check.missing(request("[\"hf_token\"]"))).isEmpty();
        assertThat(check.missing(request("[\"wandb_key\", \"hf_token\", \"db.password\"]"))).contains(
                "secret 'wandb_key' does not exist: create it with 'berth secret create wandb_key';"
                        + " secret 'db.password' does not exist: create it with 'berth secret create db.password'");
        assertThat(swarm.secretListings()).as("one listing for the check").isEqualTo(1);
    }

    @Test
    void aRequestNamingNoSecretAsksNothing()
            throws Exception
    {
        assertThat(new SecretCheck(swarm).missing(request("[]"))).isEmpty();
        assertThat(swarm.secretListings()).isZero();
    }

    @Test
    void onlyBerthsSecretsCountAndANewCheckSeesARemoval()
            throws Exception
    {
        swarm.removeSecret("hf_token");

        assertThat(new SecretCheck(swarm).missing(request("[\"hf_token\"]"))).contains(
                "secret 'hf_token' does not exist: create it with 'berth secret create hf_token'");
    }

    @Test
    void anUnreachableEngineIsAskedOncePerCheck()
            throws Exception
    {
        EngineException down = new EngineException("cannot reach the Docker engine", new IOException("refused"));
        swarm.failSecretListings(down);
        SecretCheck check = new SecretCheck(swarm);
        JobRequest request = request("[\"hf_token\"]");

        assertThatThrownBy(() -> check.missing(request)).isSameAs(down);
        assertThatThrownBy(() -> check.missing(request)).isSameAs(down);
        assertThat(swarm.secretListings()).isEqualTo(1);
    }

    private static JobRequest request(String secrets)
            throws Exception
    {
        return new RequestParser(new RequestDefaults("img", 1, 1L << 30, 3)).parse("{" + BadRequests.VALID_FIELDS + ", \"secrets\": " + secrets + "}", "j");
    }
}
