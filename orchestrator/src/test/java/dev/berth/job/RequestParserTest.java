package dev.berth.job;

import dev.berth.testing.BadRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class RequestParserTest
{
    private static final String REPO = BadRequests.VALID_FIELDS;
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
        assertThat(request.retryExitCodes()).isEmpty();
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
                  "resources": {"cpus": 2.5, "memory": "16g", "gpus": 2}, "timeout": "2h", "max_attempts": 5, "pool": "gpu",
                  "user": "ana.lopez@lab", "stop_grace": "30s", "commit": "0123456789abcdef0123456789abcdef01234567", "rerun_of": "exp-41",
                  "priority": -3}""", "m");

        assertThat(request.id()).isEqualTo("exp-42");
        assertThat(request.name()).isEqualTo("sweep.7");
        assertThat(request.image()).isEqualTo("registry.example.com/ml/train:2");
        assertThat(request.env()).isEqualTo(Map.of("SEED", "7"));
        assertThat(request.resources()).isEqualTo(new Resources(2.5, 16L << 30, 2));
        assertThat(request.timeout()).contains(Duration.ofHours(2));
        assertThat(request.maxAttempts()).isEqualTo(5);
        assertThat(request.pool()).contains("gpu");
        assertThat(request.user()).contains("ana.lopez@lab");
        assertThat(request.stopGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(request.commit()).contains("0123456789abcdef0123456789abcdef01234567");
        assertThat(request.rerunOf()).contains("exp-41");
        assertThat(request.priority()).isEqualTo(-3);
    }

    @Test
    void aJobHasPriorityZeroUnlessItGivesAWholeNumberWithinAMillion()
            throws Exception
    {
        assertThat(parser.parse("{" + REPO + "}", "m").priority()).isZero();
        assertThat(parser.parse("{" + REPO + ", \"priority\": 1000000}", "m").priority()).isEqualTo(1_000_000);
        for (String bad : List.of("\"high\"", "1.5", "1000001", "-1000001", "true")) {
            assertThatThrownBy(() -> parser.parse("{" + REPO + ", \"priority\": " + bad + "}", "m"))
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                            .singleElement().asString().startsWith("priority must be a whole number from -1000000 to 1000000, got "));
        }
    }

    @Test
    void aJobIsGivenNinetySecondsToStopUnlessItAsksOtherwise()
            throws Exception
    {
        assertThat(parser.parse("{" + REPO + "}", "m").stopGrace()).isEqualTo(Duration.ofSeconds(90));
        assertThat(parser.parse("{" + REPO + ", \"stop_grace\": \"0s\"}", "m").stopGrace()).isZero();
    }

    @Test
    void readsRetryExitCodesInAscendingOrder()
            throws Exception
    {
        JobRequest request = parser.parse("{" + REPO + ", \"retry_exit_codes\": [111, 75, 1, 255]}", "m");

        assertThat(request.retryExitCodes()).containsExactly(1, 75, 111, 255);
        assertThat(parser.parse("{" + REPO + ", \"retry_exit_codes\": null}", "m").retryExitCodes()).isEmpty();
        assertThat(parser.parse("{" + REPO + ", \"retry_exit_codes\": []}", "m").retryExitCodes()).isEmpty();
        assertThatThrownBy(() -> request.retryExitCodes().add(3)).isInstanceOf(UnsupportedOperationException.class);
    }

    static Stream<Arguments> badRetryExitCodes()
    {
        return Stream.of(
                arguments("not an array", "75", List.of("retry_exit_codes must be an array of exit codes such as [75], got number 75")),
                arguments("an object", "{\"code\": 75}", List.of("retry_exit_codes must be an array of exit codes such as [75], got object")),
                arguments("a string code", "[\"75\"]", List.of("retry_exit_codes[0] must be a whole number from 1 to 255, got \"75\"")),
                arguments("a fraction", "[75, 7.5]", List.of("retry_exit_codes[1] must be a whole number from 1 to 255, got number 7.5")),
                arguments("zero", "[0]", List.of("retry_exit_codes[0] must be a whole number from 1 to 255, got number 0")),
                arguments("past 255", "[1, 256, -1]", List.of(
                        "retry_exit_codes[1] must be a whole number from 1 to 255, got number 256",
                        "retry_exit_codes[2] must be a whole number from 1 to 255, got number -1")),
                arguments("too many", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]",
                        List.of("retry_exit_codes has 17 codes; the limit is 16")),
                arguments("duplicates", "[75, 3, 75, 3, 75]", List.of("retry_exit_codes lists 3, 75 more than once")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRetryExitCodes")
    void refusesBadRetryExitCodesNamingTheField(String kind, String codes, List<String> expected)
    {
        assertThatThrownBy(() -> parser.parse("{" + REPO + ", \"retry_exit_codes\": " + codes + "}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems()).containsExactlyElementsOf(expected));
    }

    @Test
    void suggestsRetryExitCodesForATypo()
    {
        assertThatThrownBy(() -> parser.parse("{" + REPO + ", \"retry_exit_code\": [75]}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .containsExactly("unknown field 'retry_exit_code' (did you mean 'retry_exit_codes'?)"));
    }

    @Test
    void readsSecretsAsNamesInTheRequestsOrder()
            throws Exception
    {
        JobRequest request = parser.parse("{" + REPO + ", \"secrets\": [\"hf_token\", \"aws.prod-1\", \"" + "k".repeat(64) + "\"]}", "m");

        assertThat(request.secrets()).containsExactly("hf_token", "aws.prod-1", "k".repeat(64));
        assertThat(parser.parse("{" + REPO + ", \"secrets\": null}", "m").secrets()).isEmpty();
        assertThat(parser.parse("{" + REPO + ", \"secrets\": []}", "m").secrets()).isEmpty();
        assertThat(parser.parse("{" + REPO + "}", "m").secrets()).isEmpty();
    }

    static Stream<Arguments> badSecrets()
    {
        String expected = "expected 1-64 letters, digits, '_', '.' or '-', starting and ending with a letter or digit";
        return Stream.of(
                arguments("not an array", "\"hf_token\"", List.of("secrets must be an array of secret names such as [\"hf_token\"], got \"hf_token\"")),
                arguments("an object", "{\"hf_token\": \"x\"}", List.of("secrets must be an array of secret names such as [\"hf_token\"], got object")),
                arguments("a number", "[\"a\", 7]", List.of("secrets[1] must be a string, got number 7")),
                arguments("a space", "[\"hf token\"]", List.of("secrets[0] 'hf token' is not valid: " + expected)),
                arguments("a path", "[\"../etc/passwd\"]", List.of("secrets[0] '../etc/passwd' is not valid: " + expected)),
                arguments("a dot at the end", "[\"token.\"]", List.of("secrets[0] 'token.' is not valid: " + expected)),
                arguments("empty", "[\"\"]", List.of("secrets[0] '' is not valid: " + expected)),
                arguments("65 characters", "[\"" + "k".repeat(65) + "\"]", List.of("secrets[0] '" + "k".repeat(65) + "' is not valid: " + expected)),
                arguments("too many", "[" + String.join(", ", Stream.iterate(1, i -> i + 1).limit(17).map(i -> "\"s" + i + "\"").toList()) + "]",
                        List.of("secrets has 17 names; the limit is 16")),
                arguments("duplicates", "[\"b\", \"a\", \"b\", \"a\", \"b\"]", List.of("secrets lists b, a more than once")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSecrets")
    void refusesBadSecretsNamingTheFieldTheValueAndWhatIsAccepted(String kind, String secrets, List<String> expected)
    {
        assertThatThrownBy(() -> parser.parse("{" + REPO + ", \"secrets\": " + secrets + "}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems()).containsExactlyElementsOf(expected));
    }

    @Test
    void suggestsSecretsForATypo()
    {
        assertThatThrownBy(() -> parser.parse("{" + REPO + ", \"secret\": [\"hf_token\"]}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .containsExactly("unknown field 'secret' (did you mean 'secrets'?)"));
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
        return BadRequests.all().stream().map(bad -> arguments(bad.kind(), bad.body(), bad.reason()));
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
