package dev.berth.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class RequestParserTest
{
    private static final String REPO = "\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\"";
    private final RequestParser parser = new RequestParser(new RequestDefaults("python:3.12", 1, 1L << 30, 3));

    @Test
    void acceptsTheOriginalRunnerMessageUnchanged()
            throws Exception
    {
        JobRequest request = parser.parse("""
                {"repo_uri": "github.com/org/repo", "branch": "dev", "entrypoint": "scripts/train.sh", "entrypoint_params": "--lr 0.1"}""", "m1");

        assertThat(request.id()).isEqualTo("m1");
        assertThat(request.repo().uri()).startsWith("https://github.com/org/repo");
        assertThat(request.branch()).isEqualTo("dev");
        assertThat(request.entrypoint()).isEqualTo("scripts/train.sh");
        assertThat(request.entrypointParams()).contains("--lr 0.1");
        assertThat(request.name()).isEqualTo("train");
        assertThat(request.image()).isEqualTo("python:3.12");
        assertThat(request.resources()).isEqualTo(new Resources(1, 1L << 30, 0));
        assertThat(request.maxAttempts()).isEqualTo(3);
        assertThat(request.timeout()).isEmpty();
    }

    @Test
    void paramsMayBeAbsentOrNull()
            throws Exception
    {
        assertThat(parser.parse("{" + REPO + "}", "a").entrypointParams()).isEmpty();
        assertThat(parser.parse("{" + REPO + ", \"entrypoint_params\": null}", "a").entrypointParams()).isEmpty();
    }

    @Test
    void structuredParamsArriveAsTheirJsonText()
            throws Exception
    {
        JobRequest request = parser.parse("{" + REPO + ", \"entrypoint_params\": {\"lr\": 0.1, \"layers\": [1, 2]}}", "a");

        assertThat(request.entrypointParams()).contains("{\"lr\":0.1,\"layers\":[1,2]}");
    }

    @Test
    void readsEveryOptionalField()
            throws Exception
    {
        JobRequest request = parser.parse("{" + REPO + """
                , "job_id": "exp-42", "name": "sweep.7", "image": "registry.example.com/ml/train:2", "env": {"SEED": "7"},
                  "resources": {"cpus": 2.5, "memory": "16g", "gpus": 2}, "timeout": "2h", "max_attempts": 5, "pool": "gpu"}""", "m");

        assertThat(request.id()).isEqualTo("exp-42");
        assertThat(request.name()).isEqualTo("sweep.7");
        assertThat(request.image()).isEqualTo("registry.example.com/ml/train:2");
        assertThat(request.env()).isEqualTo(Map.of("SEED", "7"));
        assertThat(request.resources()).isEqualTo(new Resources(2.5, 16L << 30, 2));
        assertThat(request.timeout()).contains(Duration.ofHours(2));
        assertThat(request.maxAttempts()).isEqualTo(5);
        assertThat(request.pool()).contains("gpu");
    }

    @Test
    void reportsEveryProblemAtOnce()
    {
        assertThatThrownBy(() -> parser.parse("{\"branch\": 3, \"entrypoint\": \"/abs\"}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems()).containsExactly(
                        "repo_uri is required",
                        "branch must be a string, got number 3",
                        "entrypoint '/abs' must be a path inside the repository, not an absolute path (it runs from the checkout root, e.g. scripts/train.sh)"));
    }

    static Stream<Arguments> badRequests()
    {
        String big = "x".repeat(1 << 20);
        return Stream.of(
                arguments("not JSON", "{repo_uri: ", "not valid JSON"),
                arguments("trailing garbage", "{" + REPO + "} {}", "not valid JSON"),
                arguments("an array", "[1, 2]", "must be a JSON object"),
                arguments("a string", "\"run it\"", "must be a JSON object"),
                arguments("empty body", "", "must be a JSON object"),
                arguments("duplicate field", "{" + REPO + ", \"branch\": \"dev\"}", "Duplicate field 'branch'"),
                arguments("typo gpu", "{" + REPO + ", \"gpu\": 1}", "unknown field 'gpu' (did you mean 'resources.gpus'?)"),
                arguments("typo inside resources", "{" + REPO + ", \"resources\": {\"gpu\": 1}}", "unknown field 'resources.gpu'"),
                arguments("missing entrypoint", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\"}", "entrypoint is required"),
                arguments("empty branch", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \" \", \"entrypoint\": \"a.sh\"}", "branch must not be empty"),
                arguments("branch that is not a ref", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"a..b\", \"entrypoint\": \"a.sh\"}", "branch:"),
                arguments("entrypoint with ..", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"../x.sh\"}", "without '.', '..'"),
                arguments("entrypoint in the middle ..", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a/../../x\"}", "'..'"),
                arguments("absolute entrypoint", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"/bin/sh\"}", "not an absolute path"),
                arguments("entrypoint as option", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"-rf\"}", "must not start with '-'"),
                arguments("entrypoint with newline", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a\\nb\"}", "control characters"),
                arguments("ftp repo", "{\"repo_uri\": \"ftp://host/r\", \"branch\": \"main\", \"entrypoint\": \"a.sh\"}", "repo_uri:"),
                arguments("credentials in repo", "{\"repo_uri\": \"https://user:hunter2@github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\"}", "BERTH_GIT_TOKEN"),
                arguments("negative gpus", "{" + REPO + ", \"resources\": {\"gpus\": -1}}", "resources.gpus must be a whole number from 0 to 64"),
                arguments("absurd gpus", "{" + REPO + ", \"resources\": {\"gpus\": 1000}}", "resources.gpus must be a whole number from 0 to 64, got number 1000"),
                arguments("fractional gpus", "{" + REPO + ", \"resources\": {\"gpus\": 0.5}}", "resources.gpus must be a whole number"),
                arguments("negative memory", "{" + REPO + ", \"resources\": {\"memory\": \"-1g\"}}", "resources.memory must be a size"),
                arguments("memory without number", "{" + REPO + ", \"resources\": {\"memory\": \"lots\"}}", "resources.memory must be a size"),
                arguments("absurd memory", "{" + REPO + ", \"resources\": {\"memory\": \"900t\"}}", "resources.memory must be a size from 4m to 16t"),
                arguments("zero cpus", "{" + REPO + ", \"resources\": {\"cpus\": 0}}", "resources.cpus must be a number above 0"),
                arguments("cpus as text", "{" + REPO + ", \"resources\": {\"cpus\": \"two\"}}", "resources.cpus must be a number"),
                arguments("resources not an object", "{" + REPO + ", \"resources\": 4}", "resources must be an object"),
                arguments("huge params", "{" + REPO + ", \"entrypoint_params\": \"" + big + "\"}", "entrypoint_params is 1048576 bytes; the limit is 102400"),
                arguments("params as number", "{" + REPO + ", \"entrypoint_params\": 5}", "entrypoint_params must be a string"),
                arguments("NUL in params", "{" + REPO + ", \"entrypoint_params\": \"a\\u0000b\"}", "must not contain NUL"),
                arguments("bad timeout", "{" + REPO + ", \"timeout\": \"soon\"}", "timeout must be a duration"),
                arguments("zero timeout", "{" + REPO + ", \"timeout\": \"0s\"}", "timeout must be a duration"),
                arguments("too many attempts", "{" + REPO + ", \"max_attempts\": 100}", "max_attempts must be a whole number from 1 to 10"),
                arguments("job id with slash", "{" + REPO + ", \"job_id\": \"a/b\"}", "job_id 'a/b' is not valid"),
                arguments("job id too long", "{" + REPO + ", \"job_id\": \"" + "a".repeat(49) + "\"}", "job_id"),
                arguments("env not object", "{" + REPO + ", \"env\": [\"A=1\"]}", "env must be an object"),
                arguments("reserved env", "{" + REPO + ", \"env\": {\"ENTRYPOINT_PARAMS\": \"x\"}}", "is reserved for berth"),
                arguments("bad env name", "{" + REPO + ", \"env\": {\"1A\": \"x\"}}", "env name '1A' is not valid"),
                arguments("env value not string", "{" + REPO + ", \"env\": {\"A\": 1}}", "env.A must be a string"),
                arguments("pool with spaces", "{" + REPO + ", \"pool\": \"my pool\"}", "pool 'my pool' is not valid"),
                arguments("image with spaces", "{" + REPO + ", \"image\": \"bad image\"}", "image 'bad image' is not valid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void refusesBadRequestWithASpecificReason(String kind, String body, String expected)
    {
        assertThatThrownBy(() -> parser.parse(body, "m"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void secretInRepoUrlIsNotEchoedInTheError()
    {
        assertThatThrownBy(() -> parser.parse("{\"repo_uri\": \"https://user:hunter2@github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\"}", "m"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageNotContaining("hunter2");
    }
}
