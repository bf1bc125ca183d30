package dev.berth.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cost.Cost;
import dev.berth.job.AttemptEnd;
import dev.berth.job.AttemptOutcome;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.Lifecycle;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.store.JobEnded;
import dev.berth.store.JobStore;
import dev.berth.store.JobWrites;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Jobs stored with the times a test chooses, each taken through its life by berth's own {@link JobWrites}
 * as the daemon takes it: received, admitted, its attempt started, ended. For tests and benchmarks of
 * what is read back (stats, listings), where a real daemon would make the times unknowable.
 */
public final class StoredJobs
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RequestParser PARSER = new RequestParser(new RequestDefaults("img", 1, 1 << 30, 3));

    private final JobWrites writes;

    public StoredJobs(JobStore store)
    {
        this.writes = requireNonNull(store, "store is null").writes();
    }

    /** A job to describe, then store with one of its endings. */
    public Life job(String id)
    {
        return new Life(id);
    }

    /** A request that could not be understood, recorded REJECTED when it arrived. */
    public void rejected(String id, Instant at)
    {
        writes.insertRejected(id, "{not json", "not JSON", Optional.empty(), Optional.empty(), at);
    }

    public final class Life
    {
        private final String id;
        private String repo = "https://github.com/org/repo";
        private Optional<String> pool = Optional.empty();
        private Optional<String> user = Optional.empty();
        private int gpus;
        private double cpus = 1;
        private Instant received;
        private Instant started;
        private Optional<Cost> cost = Optional.empty();

        private Life(String id)
        {
            this.id = requireNonNull(id, "id is null");
        }

        public Life repo(String repo)
        {
            this.repo = requireNonNull(repo, "repo is null");
            return this;
        }

        public Life pool(String pool)
        {
            this.pool = Optional.of(pool);
            return this;
        }

        /** Whom the job is for; none given: the store's {@code unknown}. */
        public Life user(String user)
        {
            this.user = Optional.of(user);
            return this;
        }

        public Life gpus(int gpus)
        {
            this.gpus = gpus;
            return this;
        }

        public Life cpus(double cpus)
        {
            this.cpus = cpus;
            return this;
        }

        public Life received(Instant at)
        {
            this.received = requireNonNull(at, "at is null");
            return this;
        }

        /** When its (only) attempt started running. */
        public Life started(Instant at)
        {
            this.started = requireNonNull(at, "at is null");
            return this;
        }

        /** What its attempt cost, as the daemon would have priced it; none given: not measured, so unknown. */
        public Life cost(Cost cost)
        {
            this.cost = Optional.of(cost);
            return this;
        }

        /** Left waiting in the queue. */
        public void queued()
        {
            insert();
        }

        /** Admitted, still being prepared: waiting too. */
        public void preparing()
        {
            insert();
            writes.moveJob(id, Lifecycle.admitted());
        }

        /** Its attempt running still. */
        public void running()
        {
            start();
        }

        public void succeeded(Instant at)
        {
            end(Lifecycle.succeeded(), at);
        }

        /** Exited with code 1: FAILED, cause exit. */
        public void failed(Instant at)
        {
            end(Lifecycle.exited(1), at);
        }

        public void timedOut(Instant at)
        {
            end(Lifecycle.timedOut(Duration.ofMinutes(1)), at);
        }

        /** Cancelled while queued if it never started, else stopped on request while running. */
        public void cancelled(Instant at)
        {
            if (started == null) {
                insert();
                writes.requestCancel(id, at);
            }
            else {
                end(Lifecycle.cancelledOnRequest(), at);
            }
        }

        /** Failed while being prepared (a branch that does not exist): FAILED, cause request, never started. */
        public void failedBeforeStart(Instant at)
        {
            preparing();
            writes.endJob(id, Lifecycle.requestProblem("no branch main"), at, JobEnded.NOTHING);
        }

        private void end(AttemptOutcome outcome, Instant at)
        {
            start();
            AttemptEnd end = cost.map(priced -> new AttemptEnd(outcome, Optional.of("node-1"), Optional.of(started), at, priced))
                    .orElseGet(() -> new AttemptEnd(outcome, Optional.of("node-1"), Optional.of(started), at));
            writes.finishAttempt(id, 1, end, JobEnded.NOTHING);
        }

        private void start()
        {
            if (started == null) {
                throw new IllegalStateException("job " + id + " ends after a start: give it one");
            }
            preparing();
            writes.recordAttempt(id, 1, "berth-" + id + "-1", started);
            writes.attemptSubmitted(id, 1);
            writes.attemptRunning(id, 1, "node-1", started);
        }

        private void insert()
        {
            if (received == null) {
                throw new IllegalStateException("job " + id + " needs a time of receipt");
            }
            ObjectNode body = JSON.createObjectNode()
                    .put("job_id", id)
                    .put("repo_uri", repo)
                    .put("branch", "main")
                    .put("entrypoint", "run.sh");
            body.putObject("resources").put("cpus", cpus).put("gpus", gpus);
            pool.ifPresent(name -> body.put("pool", name));
            user.ifPresent(name -> body.put("user", name));
            String text = body.toString();
            try {
                writes.insert(PARSER.parse(text, id), text, Optional.empty(), received);
            }
            catch (InvalidRequestException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }
}
