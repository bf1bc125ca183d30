package dev.berth.job;

import dev.berth.testing.BadRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The request fields {@code after} and {@code after_any}, through the parser. */
class DependencyRulesTest
{
    private static final String REPO = BadRequests.VALID_FIELDS;
    private final RequestParser parser = new RequestParser(new RequestDefaults("python:3.12", 1, 1L << 30, 3));

    @Test
    void readsTheJobsARequestWaitsForOfEitherKind()
            throws InvalidRequestException
    {
        JobRequest request = parser.parse("{" + REPO + ", \"after\": [\"prep-2\", \"a1b\"], \"after_any\": [\"cleanup\"]}", "m");

        assertThat(request.dependencies()).containsExactly(
                new Dependency("a1b", Dependency.Kind.AFTER), new Dependency("cleanup", Dependency.Kind.AFTER_ANY), new Dependency("prep-2", Dependency.Kind.AFTER));
        assertThat(parser.parse("{" + REPO + ", \"after\": [], \"after_any\": null}", "m").dependencies()).isEmpty();
        assertThat(parser.parse("{" + REPO + "}", "m").dependencies()).isEmpty();
    }

    @Test
    void aRequestMayWaitForAHundredJobs()
            throws InvalidRequestException
    {
        assertThat(parser.parse("{" + REPO + ", \"after\": " + ids(0, 60) + ", \"after_any\": " + ids(60, 40) + "}", "m").dependencies()).hasSize(100);
    }

    static Stream<Arguments> badDependencies()
    {
        return Stream.of(
                arguments("not an array", "\"after\": \"a1\"", List.of("after must be an array of job ids such as [\"a1b2c3\"], got \"a1\"")),
                arguments("a number", "\"after_any\": [\"a1\", 7]", List.of("after_any[1] must be a string, got number 7")),
                arguments("not an id", "\"after\": [\"a b\"]", List.of("after[0] 'a b' is not valid: expected a job id or an unambiguous prefix of one")),
                arguments("empty", "\"after\": [\"\"]", List.of("after[0] must not be empty")),
                arguments("twice", "\"after\": [\"a1\"], \"after_any\": [\"a1\"]",
                        List.of("after_any[0] 'a1' is named twice: give each job once, in after or after_any")),
                arguments("too many in one", "\"after\": " + ids(0, 101), List.of("after has 101 job ids; the limit is 100")),
                arguments("too many together", "\"after\": " + ids(0, 60) + ", \"after_any\": " + ids(60, 41),
                        List.of("after and after_any name 101 jobs together; the limit is 100")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDependencies")
    void refusesBadDependenciesNamingTheFieldTheValueAndWhatIsAccepted(String kind, String fields, List<String> expected)
    {
        assertThatThrownBy(() -> parser.parse("{" + REPO + ", " + fields + "}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems()).containsExactlyElementsOf(expected));
    }

    @Test
    void suggestsAfterForATypo()
    {
        assertThatThrownBy(() -> parser.parse("{" + REPO + ", \"afterany\": [\"a1\"]}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .containsExactly("unknown field 'afterany' (did you mean 'after_any'?)"));
    }

    private static String ids(int from, int count)
    {
        return "[" + String.join(", ", Stream.iterate(from, i -> i + 1).limit(count).map(i -> "\"job" + i + "\"").toList()) + "]";
    }
}
