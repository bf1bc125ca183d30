package dev.berth.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The dashboard's own files ({@code /static/NAME}) and the charting library's webjar
 * ({@code /webjars/...}), read from the jar through the class loader. Jetty's classpath resources would
 * mount the whole jar as a zip file system, several times over: berth's jar has tens of thousands of
 * entries, and those mounts held most of an idle daemon's heap for a handful of small files.
 */
final class JarFiles
        implements WebRoutes
{
    private static final String STATIC_DIR = "/dev/berth/web/static/";
    private static final String WEBJARS_DIR = "/META-INF/resources/webjars/";
    /** One segment of a path: no separators, no dot-only names, so that a request names a file in its dir and nothing else. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final Map<String, String> TYPES = Map.of(
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml",
            "map", "application/json");

    @Override
    public void addTo(RoutesConfig routes)
    {
        routes.get("/static/{name}", context -> serve(context, STATIC_DIR, context.pathParam("name")));
        routes.get("/webjars/<path>", context -> serve(context, WEBJARS_DIR, context.pathParam("path")));
    }

    private static void serve(Context context, String dir, String path)
    {
        Optional<byte[]> bytes = Arrays.stream(path.split("/", -1)).allMatch(segment -> SEGMENT.matcher(segment).matches())
                ? read(dir + path)
                : Optional.empty();
        if (bytes.isEmpty()) {
            context.status(HttpStatus.NOT_FOUND).result("no such file: " + context.path());
            return;
        }
        String extension = path.substring(path.lastIndexOf('.') + 1);
        context.contentType(TYPES.getOrDefault(extension, "application/octet-stream")).result(bytes.get());
    }

    private static Optional<byte[]> read(String resource)
    {
        try (InputStream in = JarFiles.class.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from berth's jar", e);
        }
    }
}
