package dev.berth.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestOptionsTest
{
    @Test
    void theFewestFlagsMakeTheRunnersMessageOnMain()
    {
        RequestOptions options = parse("--repo", "github.com/org/repo", "--entrypoint", "train.sh");

        assertThat(options.toRequest().toString()).isEqualTo("{\"repo_uri\":\"github.com/org/repo\",\"branch\":\"main\",\"entrypoint\":\"train.sh\"}");
        assertThat(options.requestFlags()).containsExactly("--repo", "--entrypoint");
    }

    @Test
    void everyFlagBecomesItsField()
    {
        RequestOptions options = parse("--repo", "github.com/org/repo", "--branch", "dev", "--entrypoint", "train.sh", "--params", "--lr 0.1",
                "--name", "sweep", "--image", "python:3.12", "--cpus", "2.5", "--memory", "16g", "--gpus", "1", "--env", "B=2", "--env", "A=1",
                "--timeout", "2h", "--max-attempts", "5", "--retry-exit-code", "75", "--retry-exit-code", "3", "--pool", "gpu", "--job-id", "exp-1");

        assertThat(options.toRequest().toString()).isEqualTo("{\"repo_uri\":\"github.com/org/repo\",\"branch\":\"dev\",\"entrypoint\":\"train.sh\","
                + "\"entrypoint_params\":\"--lr 0.1\",\"name\":\"sweep\",\"image\":\"python:3.12\",\"timeout\":\"2h\",\"pool\":\"gpu\",\"job_id\":\"exp-1\","
                + "\"max_attempts\":5,\"retry_exit_codes\":[75,3],\"resources\":{\"cpus\":2.5,\"memory\":\"16g\",\"gpus\":1},\"env\":{\"B\":\"2\",\"A\":\"1\"}}");
        assertThat(options.jobId()).contains("exp-1");
        assertThat(options.requestFlags()).containsExactly("--repo", "--branch", "--entrypoint", "--params", "--name", "--image", "--cpus", "--memory",
                "--gpus", "--env", "--timeout", "--max-attempts", "--retry-exit-code", "--pool");
    }

    @Test
    void onlyTheResourcesGivenAreSent()
    {
        RequestOptions options = parse("--repo", "r", "--entrypoint", "e", "--gpus", "2");

        assertThat(options.toRequest().path("resources").toString()).isEqualTo("{\"gpus\":2}");
    }

    @Test
    void eachSecretFlagNamesOneSecretInOrder()
    {
        RequestOptions options = parse("--repo", "r", "--entrypoint", "e", "--secret", "hf_token", "--secret", "db.password");

        assertThat(options.toRequest().path("secrets").toString()).isEqualTo("[\"hf_token\",\"db.password\"]");
        assertThat(options.requestFlags()).containsExactly("--repo", "--entrypoint", "--secret");
    }

    @Test
    void afterFlagsTakeCommaSeparatedJobsAndRepeat()
    {
        RequestOptions options = parse("--repo", "r", "--entrypoint", "e", "--after", "a1,b2", "--after", "c3", "--after-any", "d4");

        assertThat(options.toRequest().path("after").toString()).isEqualTo("[\"a1\",\"b2\",\"c3\"]");
        assertThat(options.toRequest().path("after_any").toString()).isEqualTo("[\"d4\"]");
        assertThat(options.requestFlags()).containsExactly("--repo", "--entrypoint", "--after", "--after-any");
    }

    @Test
    void theJobIdAloneIsNoRequest()
    {
        RequestOptions options = parse("--job-id", "exp-1");

        assertThat(options.requestFlags()).isEmpty();
        assertThatThrownBy(options::toRequest)
                .isInstanceOf(BerthCli.UserException.class)
                .hasMessage("--repo and --entrypoint are required (or give the whole request with --file)");
    }

    private static RequestOptions parse(String... args)
    {
        RequestOptions options = new RequestOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
