package dev.berth.selftest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.InvalidRequestException;

import java.io.IOException;

/**
 * Sends a job request into berth's queue, the one way in: {@code berth submit}'s own sender for the
 * CLI, {@link dev.berth.submit.Submission} into the daemon's own queue for the HTTP API.
 */
@FunctionalInterface
public interface RequestSender
{
    /**
     * Checks and sends the request, which holds its {@code job_id}; returns that id.
     * @throws InvalidRequestException when berth's parser refuses it (an image or pool the self-test was given)
     */
    String send(ObjectNode request)
            throws IOException, InvalidRequestException;
}
