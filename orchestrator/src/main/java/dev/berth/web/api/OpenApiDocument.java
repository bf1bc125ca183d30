package dev.berth.web.api;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import static java.util.Objects.requireNonNull;

/** {@code GET /api/v1/openapi.json}: the API's OpenAPI 3.1 description, written by hand beside this class and served as it is. */
final class OpenApiDocument
        implements Handler
{
    static final String RESOURCE = "openapi.json";

    private final String text;

    private OpenApiDocument(String text)
    {
        this.text = requireNonNull(text, "text is null");
    }

    static OpenApiDocument load()
    {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing beside " + OpenApiDocument.class.getName() + " in berth's jar");
            }
            return new OpenApiDocument(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(Context context)
    {
        context.contentType(ContentType.APPLICATION_JSON).result(text);
    }
}
