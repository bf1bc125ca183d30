package dev.berth.selftest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.InvalidRequestException;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/**
 * Starts berth's self-test: makes sure the self-test repository is there, builds the request that
 * runs it and sends it through the queue, as any job arrives. {@code berth selftest} then follows it
 * with {@link StageReport} and judges it with {@link SelfTestVerdict}; the HTTP API answers with its id.
 */
public final class SelfTest
{
    public static final String NAME = "selftest";
    /** The environment variable that tells the entrypoint how many GPUs it was given, so it tries them. */
    static final String GPUS_ENV = "SELFTEST_GPUS";
    /** One CPU of its own: a share of one would make awk's multiplication take minutes. */
    private static final double CPUS = 1;
    /** numpy's 2048x2048 matrices need a few hundred MB; torch and CUDA take a few GB of host memory. */
    private static final String CPU_MEMORY = "1g";
    private static final String GPU_MEMORY = "4g";
    /** Far beyond what it needs, so a stuck device ends the self-test rather than holding it forever. */
    private static final String TIMEOUT = "15m";

    private final SelfTestRepository repository;
    private final RequestSender sender;

    public SelfTest(SelfTestRepository repository, RequestSender sender)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.sender = requireNonNull(sender, "sender is null");
    }

    /** A self-test on its way: its job id and the commit it runs. */
    public record Started(String jobId, String commit)
    {
        public Started
        {
            requireNonNull(jobId, "jobId is null");
            requireNonNull(commit, "commit is null");
        }
    }

    public Started start(SelfTestOptions options)
            throws IOException, InvalidRequestException
    {
        SelfTestRepository.Source source = repository.materialise();
        ObjectNode request = request(source, options, newJobId());
        return new Started(sender.send(request), source.commit());
    }

    /** The request in the format of any job's: what the self-test runs, on which resources, where. */
    static ObjectNode request(SelfTestRepository.Source source, SelfTestOptions options, String jobId)
    {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("job_id", jobId);
        request.put("name", NAME);
        request.put("repo_uri", source.repoUri());
        request.put("branch", source.branch());
        request.put("entrypoint", SelfTestRepository.ENTRYPOINT);
        options.image().ifPresent(image -> request.put("image", image));
        options.pool().ifPresent(pool -> request.put("pool", pool));
        ObjectNode resources = request.putObject("resources");
        resources.put("cpus", CPUS);
        resources.put("memory", options.gpus() > 0 ? GPU_MEMORY : CPU_MEMORY);
        if (options.gpus() > 0) {
            resources.put("gpus", options.gpus());
        }
        request.putObject("env").put(GPUS_ENV, String.valueOf(options.gpus()));
        request.put("timeout", TIMEOUT);
        return request;
    }

    private static String newJobId()
    {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        return NAME + "-" + HexFormat.of().formatHex(random);
    }
}
