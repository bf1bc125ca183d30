package dev.berth.web;

import dev.berth.config.HttpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebServerTest
{
    private static final WebRoutes HELLO = routes -> routes.get("/hello", context -> context.result("hello"));
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void loopbackServesWithoutAToken()
            throws Exception
    {
        try (WebServer server = WebServer.start(new HttpAddress("127.0.0.1", 0), Optional.empty(), List.of(HELLO))) {
            HttpResponse<String> response = get(server.uri().resolve("/hello"), Optional.empty());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello");
            assertThat(server.uri().getPort()).as("port 0 takes a free port, which the uri names").isPositive();
        }
    }

    @Test
    void anyOtherAddressAsksEveryRequestForTheToken()
            throws Exception
    {
        AccessToken token = AccessToken.loadOrCreate(temp.resolve("http-token"));
        try (WebServer server = WebServer.start(new HttpAddress("0.0.0.0", 0), Optional.of(token), List.of(HELLO))) {
            URI hello = URI.create("http://127.0.0.1:" + server.uri().getPort() + "/hello");

            HttpResponse<String> none = get(hello, Optional.empty());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).contains("Authorization: Bearer").doesNotContain(token.reveal());
            assertThat(get(hello, Optional.of("Bearer " + "0".repeat(64))).statusCode()).isEqualTo(401);
            assertThat(get(hello, Optional.of("Bearer " + token.reveal())).body()).isEqualTo("hello");

            HttpRequest withCookie = HttpRequest.newBuilder(hello).header("Cookie", WebServer.TOKEN_COOKIE + "=" + token.reveal()).build();
            assertThat(client.send(withCookie, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void refusesToAnswerBeyondLoopbackWithoutAToken()
    {
        assertThatThrownBy(() -> WebServer.start(new HttpAddress("0.0.0.0", 0), Optional.empty(), List.of(HELLO)))
                .hasMessageContaining("0.0.0.0:0, which is not loopback")
                .hasMessageContaining("BERTH_HTTP_ADDRESS=127.0.0.1:8080");
    }

    @Test
    void aTakenPortIsRefusedSayingWhatToSet()
            throws IOException
    {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> WebServer.start(new HttpAddress("127.0.0.1", taken.getLocalPort()), Optional.empty(), List.of(HELLO)))
                    .hasMessageContaining("cannot answer HTTP on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("set BERTH_HTTP_ADDRESS");
        }
    }

    private HttpResponse<String> get(URI uri, Optional<String> authorization)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        authorization.ifPresent(value -> request.header("Authorization", value));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
