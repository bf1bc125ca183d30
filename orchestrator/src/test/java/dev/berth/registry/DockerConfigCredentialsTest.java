package dev.berth.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerConfigCredentialsTest
{
    private static final String REGISTRY = "127.0.0.1:5443";
    private static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    @TempDir
    Path temp;

    private final FallbackCredentials fallback = new FallbackCredentials();

    @Test
    void anAuthIsAUserAndPasswordInBase64()
            throws IOException
    {
        DockerConfigCredentials credentials = credentials("""
                {"auths": {"https://127.0.0.1:5443": {"auth": "%s"}}}
                """.formatted(base64("alice:pass:with:colons")));

        RegistryAuth auth = credentials.forRegistry(REGISTRY).orElseThrow();

        assertThat(auth.engineFields()).containsExactly(
                Map.entry("username", "alice"), Map.entry("password", "pass:with:colons"), Map.entry("serveraddress", REGISTRY));
        assertThat(auth.source()).isEqualTo(temp.resolve("config.json").toString());
        assertThat(auth.toString()).doesNotContain("pass:with:colons").contains(REGISTRY);
        assertThat(fallback.asked).isEmpty();
    }

    @Test
    void anIdentityTokenGoesAsItIsAndDockerHubAnswersToItsOldKey()
            throws IOException
    {
        DockerConfigCredentials credentials = credentials("""
                {"auths": {"https://index.docker.io/v1/": {"auth": "", "identitytoken": "token-123"}}}
                """);

        RegistryAuth auth = credentials.forRegistry(ImageNames.registry("org/job:1")).orElseThrow();

        assertThat(auth.engineFields()).containsExactly(Map.entry("identitytoken", "token-123"), Map.entry("serveraddress", "docker.io"));
        assertThat(auth.toString()).doesNotContain("token-123");
    }

    @Test
    void aRegistryTheFileDoesNotNameIsLeftToTheFallbackAsIsAMissingFile()
            throws IOException
    {
        DockerConfigCredentials credentials = credentials("""
                {"auths": {"other.example.com": {"auth": "%s"}}}
                """.formatted(base64("bob:secret")));

        assertThat(credentials.forRegistry(REGISTRY)).isEmpty();
        assertThat(credentials.forRegistry(ECR)).contains(FallbackCredentials.ECR_AUTH);
        assertThat(new DockerConfigCredentials(temp.resolve("absent.json"), fallback).forRegistry(ECR)).contains(FallbackCredentials.ECR_AUTH);
        assertThat(fallback.asked).containsExactly(REGISTRY, ECR, ECR);
    }

    @Test
    void theFileIsReadAgainAtEachLookUpSoALoginNeedsNoRestart()
            throws IOException
    {
        DockerConfigCredentials credentials = credentials("{}");
        assertThat(credentials.forRegistry(REGISTRY)).isEmpty();

        Files.writeString(temp.resolve("config.json"), "{\"auths\": {\"127.0.0.1:5443\": {\"auth\": \"" + base64("alice:s3cret") + "\"}}}");

        assertThat(credentials.forRegistry(REGISTRY).orElseThrow().engineFields()).containsEntry("password", "s3cret");
    }

    @Test
    void ecrsCredentialHelperMeansEcrsTokens()
            throws IOException
    {
        DockerConfigCredentials helpers = credentials("""
                {"credHelpers": {"%s": "ecr-login"}}
                """.formatted(ECR));
        assertThat(helpers.forRegistry(ECR)).contains(FallbackCredentials.ECR_AUTH);

        DockerConfigCredentials store = credentials("""
                {"auths": {"%s": {}}, "credsStore": "ecr-login"}
                """.formatted(ECR));
        assertThat(store.forRegistry(ECR)).contains(FallbackCredentials.ECR_AUTH);
    }

    @Test
    void anyOtherCredentialHelperIsRefusedByName()
            throws IOException
    {
        assertThatThrownBy(() -> credentials("""
                {"credHelpers": {"127.0.0.1:5443": "pass"}}
                """).forRegistry(REGISTRY))
                .isInstanceOf(RegistryAccessException.class)
                .hasMessageContaining("registry 127.0.0.1:5443")
                .hasMessageContaining("credential helper 'pass' (credHelpers in " + temp.resolve("config.json"));

        // docker login leaves an empty entry beside a credential store; a registry the file does not name is pulled without any
        DockerConfigCredentials store = credentials("""
                {"auths": {"127.0.0.1:5443": {}}, "credsStore": "desktop"}
                """);
        assertThatThrownBy(() -> store.forRegistry(REGISTRY))
                .isInstanceOf(RegistryAccessException.class)
                .hasMessageContaining("credential helper 'desktop' (credsStore in");
        assertThat(store.forRegistry("other.example.com")).isEmpty();
    }

    @Test
    void aBrokenFileIsRefusedWithoutQuotingIt()
            throws IOException
    {
        assertThatThrownBy(() -> credentials("{\"auths\": {\"127.0.0.1:5443\": {\"auth\": hunter2}}}").forRegistry(REGISTRY))
                .isInstanceOf(RegistryAccessException.class)
                .hasMessageStartingWith("the docker config " + temp.resolve("config.json") + " is not valid JSON (line 1")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> credentials("{\"auths\": {\"127.0.0.1:5443\": {\"auth\": \"" + base64("no-colon-secret") + "\"}}}").forRegistry(REGISTRY))
                .isInstanceOf(RegistryAccessException.class)
                .hasMessage("the auth of registry 127.0.0.1:5443 in " + temp.resolve("config.json") + " is not user:password in base64");
    }

    @Test
    void whereToConfigureNamesTheFileOrForEcrTheFallback()
            throws IOException
    {
        DockerConfigCredentials credentials = credentials("{}");

        assertThat(credentials.whereToConfigure(REGISTRY)).isEqualTo("auths of " + temp.resolve("config.json")
                + " (as 'docker login 127.0.0.1:5443' writes it with no credential store)");
        assertThat(credentials.whereToConfigure(ECR)).isEqualTo("the fallback's place");
    }

    private DockerConfigCredentials credentials(String json)
            throws IOException
    {
        return new DockerConfigCredentials(Files.writeString(temp.resolve("config.json"), json), fallback);
    }

    private static String base64(String text)
    {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Stands in for ECR: credentials for the one ECR registry, and a record of what was asked. */
    private static final class FallbackCredentials
            implements RegistryCredentials
    {
        static final RegistryAuth ECR_AUTH = RegistryAuth.password(ECR, "AWS", "ecr-token", "ECR");

        final List<String> asked = new ArrayList<>();

        @Override
        public Optional<RegistryAuth> forRegistry(String registry)
        {
            asked.add(registry);
            return registry.equals(ECR) ? Optional.of(ECR_AUTH) : Optional.empty();
        }

        @Override
        public String whereToConfigure(String registry)
        {
            return "the fallback's place";
        }
    }
}
