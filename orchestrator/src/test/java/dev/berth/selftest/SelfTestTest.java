package dev.berth.selftest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.job.JobRequest;
import dev.berth.job.RequestDefaults;
import dev.berth.job.RequestParser;
import dev.berth.repo.RepoUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SelfTestTest
{
    private static final RequestParser PARSER = new RequestParser(new RequestDefaults("berth-local/busybox:1", 0.1, 64L << 20, 3));

    @TempDir
    Path temp;

    @Test
    void theDefaultRequestRunsTheShippedRepositoryOnTheCpuAlone()
            throws Exception
    {
        SelfTestRepository.Source source = new SelfTestRepository(temp).materialise();

        JobRequest request = parse(SelfTest.request(source, SelfTestOptions.defaults(), "selftest-1"));

        assertThat(request.id()).isEqualTo("selftest-1");
        assertThat(request.name()).isEqualTo("selftest");
        assertThat(request.repo()).isEqualTo(RepoUrl.parse(source.repoUri()));
        assertThat(request.branch()).isEqualTo("main");
        assertThat(request.entrypoint()).isEqualTo("selftest.sh");
        assertThat(request.image()).as("berth's default").isEqualTo("berth-local/busybox:1");
        assertThat(request.pool()).isEmpty();
        assertThat(request.resources().gpus()).isZero();
        assertThat(request.resources().cpus()).as("a CPU of its own, whatever the default").isEqualTo(1);
        assertThat(request.resources().memoryBytes()).isEqualTo(1L << 30);
        assertThat(request.env()).isEqualTo(Map.of("SELFTEST_GPUS", "0"));
        assertThat(request.timeout()).contains(Duration.ofMinutes(15));
    }

    @Test
    void gpusPoolAndImageReachTheRequestAndTheEntrypoint()
            throws Exception
    {
        SelfTestRepository.Source source = new SelfTestRepository(temp).materialise();
        SelfTestOptions options = new SelfTestOptions(2, Optional.of("gpu"), Optional.of("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime"));

        JobRequest request = parse(SelfTest.request(source, options, "selftest-2"));

        assertThat(request.resources().gpus()).isEqualTo(2);
        assertThat(request.pool()).contains("gpu");
        assertThat(request.image()).isEqualTo("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime");
        assertThat(request.resources().memoryBytes()).as("room for torch and CUDA on the host").isEqualTo(4L << 30);
        assertThat(request.env()).containsEntry("SELFTEST_GPUS", "2");
    }

    @Test
    void startSendsOneRequestForTheRepositoryItMade()
            throws Exception
    {
        List<ObjectNode> sent = new ArrayList<>();
        SelfTest selfTest = new SelfTest(new SelfTestRepository(temp), request -> {
            sent.add(request);
            return request.path("job_id").asText();
        });

        SelfTest.Started first = selfTest.start(SelfTestOptions.defaults());
        SelfTest.Started second = selfTest.start(SelfTestOptions.defaults());

        assertThat(sent).hasSize(2);
        assertThat(first.jobId()).matches("selftest-[0-9a-f]{12}").isEqualTo(sent.get(0).path("job_id").asText());
        assertThat(second.jobId()).as("each run is a job of its own").isNotEqualTo(first.jobId());
        assertThat(first.commit()).isEqualTo(second.commit()).isEqualTo(new SelfTestRepository(temp).materialise().commit());
        assertThat(parse(sent.get(0)).repo()).isEqualTo(RepoUrl.parse(new SelfTestRepository(temp).materialise().repoUri()));
    }

    private static JobRequest parse(ObjectNode request)
            throws Exception
    {
        return PARSER.parse(request.toString(), "unused");
    }
}
