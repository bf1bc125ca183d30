package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestFileTest
{
    private static final InputStream NO_INPUT = InputStream.nullInputStream();

    @TempDir
    Path temp;

    @Test
    void holdsOneRequestOrOnePerLineOrOneAfterAnother()
            throws IOException
    {
        assertThat(read("{\"entrypoint\": \"a.sh\"}")).extracting(request -> request.path("entrypoint").asText()).containsExactly("a.sh");
        assertThat(read("{\"entrypoint\": \"a.sh\"}\n{\"entrypoint\": \"b.sh\"}\n")).hasSize(2);
        assertThat(read("{\"entrypoint\": \"a.sh\"} {\n \"entrypoint\": \"b.sh\"\n}")).hasSize(2);
    }

    @Test
    void readsStandardInputForADash()
            throws IOException
    {
        List<ObjectNode> requests = new RequestFile("-").read(new ByteArrayInputStream("{\"entrypoint\": \"a.sh\"}".getBytes(StandardCharsets.UTF_8)));

        assertThat(requests).hasSize(1);
    }

    @Test
    void namesTheRequestAndLineThatIsNoObject()
            throws IOException
    {
        Path file = write("{\"entrypoint\": \"a.sh\"}\n[1]\n");

        assertThatThrownBy(() -> new RequestFile(file.toString()).read(NO_INPUT))
                .hasMessage(file + ": request 2 (line 2) is not a JSON object");
    }

    @Test
    void refusesWhatIsNotUtf8JsonOrHoldsNothing()
            throws IOException
    {
        Path latin = Files.write(temp.resolve("latin.json"), new byte[] {(byte) 0xff, (byte) 0xfe});
        Path broken = write("{\"repo_uri\": ");
        Path empty = write("  \n");

        assertThatThrownBy(() -> new RequestFile(latin.toString()).read(NO_INPUT))
                .isInstanceOf(BerthCli.UserException.class)
                .hasMessage(latin + " is not valid UTF-8 text: a job request must be UTF-8 JSON");
        assertThatThrownBy(() -> new RequestFile(broken.toString()).read(NO_INPUT))
                .isInstanceOf(BerthCli.UserException.class)
                .hasMessageStartingWith(broken + " is not valid JSON: Unexpected end-of-input");
        assertThatThrownBy(() -> new RequestFile(empty.toString()).read(NO_INPUT))
                .isInstanceOf(BerthCli.UserException.class)
                .hasMessage(empty + " holds no request: give one JSON object, or one per line");
    }

    private List<ObjectNode> read(String content)
            throws IOException
    {
        return new RequestFile(write(content).toString()).read(NO_INPUT);
    }

    private Path write(String content)
            throws IOException
    {
        return Files.writeString(Files.createTempFile(temp, "requests", ".jsonl"), content);
    }
}
