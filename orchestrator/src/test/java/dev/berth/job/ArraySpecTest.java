package dev.berth.job;

import dev.berth.testing.BadRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** An array's range as a user writes it, in a request's {@code "array"} or in {@code --array}, and the ranges refused. */
class ArraySpecTest
{
    private final RequestParser parser = new RequestParser(new RequestDefaults("python:3.12", 1, 1L << 30, 3));

    @Test
    void readsARangeItsStepAndItsLimit()
            throws Exception
    {
        ArraySpec plain = ArraySpec.parse("--array", "0-99");
        assertThat(plain.size()).isEqualTo(100);
        assertThat(plain.limit()).isEmpty();

        ArraySpec stepped = ArraySpec.parse("--array", "3-11:4%2");
        assertThat(stepped.indices().toArray()).containsExactly(3, 7, 11);
        assertThat(stepped.limit()).contains(2);
        assertThat(stepped.range()).isEqualTo("3-11:4");
        assertThat(stepped).hasToString("3-11:4%2");
        assertThat(ArraySpec.parse("--array", stepped.toString())).as("reads back what it prints").isEqualTo(stepped);

        assertThat(ArraySpec.parse("--array", "0-10:4").indices().toArray()).as("a step past the last index stops before it").containsExactly(0, 4, 8);
        assertThat(ArraySpec.parse("--array", "7-7").size()).isEqualTo(1);
    }

    @Test
    void theLargestArrayAllowedIsTheDocumentedCap()
            throws Exception
    {
        assertThat(ArraySpec.parse("array", "0-9999").size()).isEqualTo(ArraySpec.MAX_TASKS);
        assertThat(ArraySpec.parse("array", "0-99999:10").size()).isEqualTo(ArraySpec.MAX_TASKS);
    }

    static Stream<Arguments> badRanges()
    {
        return Stream.of(
                arguments("one index", "7", "'7' is not a range"),
                arguments("a list", "1,2,3", "'1,2,3' is not a range"),
                arguments("negative", "-1-5", "'-1-5' is not a range"),
                arguments("backwards", "9-3", "'9-3' is not valid: its last index 3 is below its first 9"),
                arguments("a step of zero", "0-9:0", "'0-9:0' is not valid: its step must be at least 1"),
                arguments("a limit of zero", "0-9%0", "'0-9%0' is not valid: its %LIMIT must be at least 1"),
                arguments("an index past the cap", "0-100000", "'0-100000' is not valid: its last index 100000 is over 99999"),
                arguments("too many tasks", "0-10000", "'0-10000' is not valid: it makes 10001 tasks; the limit is 10000"),
                arguments("digits past an int", "0-99999999999", "'0-99999999999' is not a range"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRanges")
    void aBadRangeIsRefusedQuotingItAndSayingWhatIsAccepted(String kind, String text, String expected)
    {
        assertThatThrownBy(() -> ArraySpec.parse("--array", text))
                .isInstanceOf(ArraySpec.BadRange.class)
                .hasMessageStartingWith("--array " + expected)
                .hasMessageEndingWith("expected " + ArraySpec.FORM);
    }

    @Test
    void aRequestsArrayFieldMakesItAnArray()
            throws Exception
    {
        JobRequest request = parser.parse("{" + BadRequests.VALID_FIELDS + ", \"array\": \"0-4%2\"}", "m1");

        assertThat(request.array()).contains(new ArraySpec(0, 4, 1, Optional.of(2)));
        assertThat(parser.parse("{" + BadRequests.VALID_FIELDS + "}", "m2").array()).isEmpty();
    }

    @Test
    void aRequestsBadArrayIsRefusedNamingTheField()
    {
        assertThatThrownBy(() -> parser.parse("{" + BadRequests.VALID_FIELDS + ", \"array\": \"0-20000\"}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .singleElement().asString().startsWith("array '0-20000' is not valid: it makes 20001 tasks; the limit is 10000"));
        assertThatThrownBy(() -> parser.parse("{" + BadRequests.VALID_FIELDS + ", \"array\": 100}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .containsExactly("array must be a range as a string, such as \"0-99%10\", got number 100"));
    }

    @Test
    void anArraysJobIdLeavesRoomForItsTasksIndices()
            throws Exception
    {
        String longest = "a".repeat(42);
        assertThat(parser.parse("{" + BadRequests.VALID_FIELDS + ", \"array\": \"0-9\", \"job_id\": \"" + longest + "\"}", "m").id()).isEqualTo(longest);

        assertThatThrownBy(() -> parser.parse("{" + BadRequests.VALID_FIELDS + ", \"array\": \"0-9\", \"job_id\": \"" + longest + "b\"}", "m"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .containsExactly("job_id '" + longest + "b' is too long for an array: an array's id has at most 42 characters,"
                                + " so that its tasks' ids (the id, '_' and the index) are at most 48"));
    }
}
