package dev.berth.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.RegistryAuth;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class EngineApiTest
{
    @Test
    void registryCredentialsTravelAsTheEnginesAuthConfigInUrlSafeBase64()
            throws Exception
    {
        // '?' and '>' in the password put '/' and '+' in the standard alphabet's encoding: the engine reads only the URL-safe one
        String header = EngineApi.registryAuthHeader(RegistryAuth.password("127.0.0.1:5443", "alice", "s3cret??>>", "config.json"));

        assertThat(header).doesNotContain("+", "/");
        JsonNode decoded = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(header));
        assertThat(decoded.path("username").asText()).isEqualTo("alice");
        assertThat(decoded.path("password").asText()).isEqualTo("s3cret??>>");
        assertThat(decoded.path("serveraddress").asText()).isEqualTo("127.0.0.1:5443");

        JsonNode token = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(
                EngineApi.registryAuthHeader(RegistryAuth.identityToken("docker.io", "token-1", "config.json"))));
        assertThat(token.path("identitytoken").asText()).isEqualTo("token-1");
        assertThat(token.has("password")).isFalse();
    }
}
