package dev.berth.web.dashboard;

import dev.berth.config.HttpAddress;
import dev.berth.web.AccessToken;
import dev.berth.web.WebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LoginPageTest
{
    @TempDir
    Path temp;

    @Test
    void aBrowserBeyondLoopbackSignsInWithTheTokenOnceAndThenSeesThePages()
            throws Exception
    {
        AccessToken token = AccessToken.loadOrCreate(temp.resolve("http-token"));
        try (DashboardServer dashboard = DashboardServer.start(temp, List::of, new HttpAddress("0.0.0.0", 0), Optional.of(token))) {
            HttpResponse<String> page = dashboard.get("/", "Accept", "text/html,application/xhtml+xml");
            assertThat(page.statusCode()).isEqualTo(303);
            assertThat(page.headers().firstValue("Location")).contains("/login");
            assertThat(dashboard.get("/").statusCode()).as("a client that is no browser is told, not sent on").isEqualTo(401);

            HttpResponse<String> login = dashboard.get("/login", "Accept", "text/html");
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(login.body()).contains("<input type=\"password\" name=\"token\"");
            assertThat(dashboard.get("/static/berth.css").statusCode()).as("the sign-in page's styles").isEqualTo(200);

            HttpResponse<String> wrong = dashboard.post("/login", Map.of("token", "0".repeat(64)));
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).contains("that is not this berth's token").doesNotContain(token.reveal());
            assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

            HttpResponse<String> right = dashboard.post("/login", Map.of("token", token.reveal()));
            assertThat(right.statusCode()).isEqualTo(303);
            assertThat(right.headers().firstValue("Location")).contains("/");
            String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).startsWith(WebServer.TOKEN_COOKIE + "=" + token.reveal()).contains("HttpOnly").contains("SameSite=Strict");

            HttpResponse<String> signedIn = dashboard.get("/", "Accept", "text/html", "Cookie", cookie.substring(0, cookie.indexOf(';')));
            assertThat(signedIn.statusCode()).isEqualTo(200);
            assertThat(signedIn.body()).contains("<h1>Jobs</h1>");
        }
    }

    @Test
    void onLoopbackThereIsNothingToSignIn()
            throws Exception
    {
        try (DashboardServer dashboard = DashboardServer.start(temp, List::of)) {
            assertThat(dashboard.get("/login").body()).contains("asks for no token");
            assertThat(dashboard.post("/login", Map.of("token", "anything")).headers().firstValue("Set-Cookie")).isEmpty();
        }
    }
}
