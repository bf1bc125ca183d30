package dev.berth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The job requests in {@code berth submit --file}: one JSON object, or many, one per line (JSON
 * Lines) or simply one after another. Only their form is checked here; what they ask for is checked
 * as the daemon checks it, before anything is sent.
 */
final class RequestFile
{
    private final String file;

    /** @param file the path the user gave, or {@code -} for standard input; problems name it so */
    RequestFile(String file)
    {
        this.file = requireNonNull(file, "file is null");
    }

    String name()
    {
        return file;
    }

    List<ObjectNode> read(InputStream standardInput)
            throws IOException
    {
        byte[] bytes = file.equals("-") ? standardInput.readAllBytes() : Files.readAllBytes(Path.of(file));
        String content;
        try {
            content = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (CharacterCodingException e) {
            throw new BerthCli.UserException(file + " is not valid UTF-8 text: a job request must be UTF-8 JSON");
        }
        List<ObjectNode> requests = new ArrayList<>();
        try (MappingIterator<JsonNode> values = JobViews.mapper().readerFor(JsonNode.class).readValues(content)) {
            while (values.hasNextValue()) {
                JsonNode node = values.nextValue();
                if (!(node instanceof ObjectNode object)) {
                    throw new BerthCli.UserException(file + ": request " + (requests.size() + 1) + " (line "
                            + values.getCurrentLocation().getLineNr() + ") is not a JSON object");
                }
                requests.add(object);
            }
        }
        catch (JsonProcessingException | RuntimeJsonMappingException e) {
            throw new BerthCli.UserException(file + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (requests.isEmpty()) {
            throw new BerthCli.UserException(file + " holds no request: give one JSON object, or one per line");
        }
        return requests;
    }
}
