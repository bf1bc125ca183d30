package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.job.InvalidRequestException;
import dev.berth.job.JobRequest;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.queue.JobQueue;
import dev.berth.queue.QueueEndpoint;
import dev.berth.queue.QueueException;
import dev.berth.queue.SqsJobQueue;
import dev.berth.submit.CheckedRequest;
import dev.berth.submit.Submission;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Sends job requests to berth's queue, the one way into berth, as a {@link Submission}. Every request
 * is checked first, and nothing is sent unless all pass, so a file of many requests is never half sent
 * for a mistake in one. In a process of its own it sends through a queue client it makes; in the
 * daemon, answering {@code berth submit} over {@code cli.sock}, through the daemon's own queue, as
 * the HTTP API does.
 */
final class QueueSender
{
    private final BerthConfig config;
    private final PrintWriter err;
    private final Optional<JobQueue> daemonQueue;
    private final Optional<String> login;

    /**
     * Sends to the configured queue, as this process's user.
     * @param err where warnings and notes about the requests go
     */
    QueueSender(BerthConfig config, PrintWriter err)
    {
        this(config, err, Optional.empty(), Optional.ofNullable(System.getProperty("user.name")));
    }

    /**
     * @param daemonQueue the daemon's queue, which the sender neither opens nor closes; empty for a client of its own
     * @param login who sends: the job's user unless the request names one (dropped when berth could not accept it as a user)
     */
    QueueSender(BerthConfig config, PrintWriter err, Optional<JobQueue> daemonQueue, Optional<String> login)
    {
        this.config = requireNonNull(config, "config is null");
        this.err = requireNonNull(err, "err is null");
        this.daemonQueue = requireNonNull(daemonQueue, "daemonQueue is null");
        this.login = requireNonNull(login, "login is null").filter(name -> JobRequest.userProblem(name).isEmpty());
    }

    /**
     * Sends the requests, each given a random {@code job_id} if it has none; returns their job ids, in order.
     * @param file where the requests came from, named in a problem with one of several; empty for flags
     */
    List<String> send(List<ObjectNode> requests, Optional<String> file)
    {
        Submission submission = new Submission(new RequestParser(RequestDefaults.of(config)), new EngineSecrets(config.dockerHost(), err));
        List<CheckedRequest> checked = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            try {
                checked.add(submission.check(requests.get(i), login, warning -> {
                    err.println("berth submit: warning: " + warning);
                    err.flush();
                }));
            }
            catch (InvalidRequestException e) {
                boolean several = requests.size() > 1;
                throw new BerthCli.UserException("invalid request" + (several ? " " + (i + 1) + " of " + requests.size() + " in " + file.orElseThrow() : "")
                        + ": " + e.getMessage() + (several ? " (nothing was sent)" : ""));
            }
        }

        if (daemonQueue.isPresent()) {
            try {
                return submission.send(daemonQueue.get(), checked);
            }
            catch (SdkException | QueueException e) {
                throw new BerthCli.UserException("cannot send to the queue " + daemonQueue.get().describe() + ": " + e.getMessage());
            }
        }
        QueueEndpoint endpoint = QueueEndpoint.forClient(config);
        try (SqsJobQueue queue = new SqsJobQueue(endpoint)) {
            return submission.send(queue, checked);
        }
        catch (SdkException | QueueException e) {
            throw new BerthCli.UserException("cannot send to the queue " + endpoint.queueUrl() + ": " + e.getMessage()
                    + (endpoint.embedded() ? " (the embedded queue runs inside 'berth serve': is it running?)" : ""));
        }
    }
}
