package dev.berth.web;

import dev.berth.config.HttpAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class JarFilesTest
{
    private final HttpClient http = HttpClient.newHttpClient();
    private WebServer server;

    @BeforeEach
    void start()
    {
        server = WebServer.start(new HttpAddress("127.0.0.1", 0), Optional.empty(), List.of());
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void servesTheDashboardsFilesAndTheWebjarsWithTheirTypes()
            throws Exception
    {
        HttpResponse<String> css = get("/static/berth.css");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
        try (InputStream in = JarFiles.class.getResourceAsStream("/dev/berth/web/static/berth.css")) {
            assertThat(css.body()).isEqualTo(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(get("/static/favicon.svg").headers().firstValue("Content-Type")).contains("image/svg+xml");

        Properties uplot = new Properties();
        try (InputStream in = JarFiles.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            uplot.load(in);
        }
        HttpResponse<String> script = get("/webjars/uplot/" + uplot.getProperty("version") + "/dist/uPlot.iife.min.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("uPlot");
    }

    @Test
    void nothingOutsideItsDirsNorAMissingFile()
            throws Exception
    {
        assertThat(get("/static/nope.css").statusCode()).isEqualTo(404);
        // Refused by Jetty as an ambiguous path (400), or by the file's name (404): never the class file
        for (String escape : List.of("/static/..%2Fapi%2FOpenApiDocument.class", "/webjars/../../dev/berth/web/WebServer.class",
                "/webjars/uplot/%2E%2E/%2E%2E/%2E%2E/dev/berth/web/WebServer.class", "/webjars/uplot/..%2F..%2F..%2Fdev/berth/web/WebServer.class")) {
            assertThat(get(escape).statusCode()).as(escape).isIn(400, 404);
        }
    }

    private HttpResponse<String> get(String path)
            throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + path.substring(1))).build(), HttpResponse.BodyHandlers.ofString());
    }
}
