package dev.berth.registry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageNamesTest
{
    @Test
    void aFirstPartThatLooksLikeAHostIsTheRegistry()
    {
        assertThat(ImageNames.registry("127.0.0.1:5443/berth/busybox:1")).isEqualTo("127.0.0.1:5443");
        assertThat(ImageNames.registry("123456789012.dkr.ecr.eu-west-1.amazonaws.com/jobs/train@sha256:" + "a".repeat(64)))
                .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        assertThat(ImageNames.registry("localhost/job")).isEqualTo("localhost");
        assertThat(ImageNames.registry("Registry.Example.com/job:2")).isEqualTo("registry.example.com");
    }

    @Test
    void anyOtherImageIsDockerHubs()
    {
        assertThat(ImageNames.registry("busybox")).isEqualTo("docker.io");
        assertThat(ImageNames.registry("berth-local/busybox:1")).isEqualTo("docker.io");
        assertThat(ImageNames.registry("index.docker.io/library/busybox:1")).isEqualTo("docker.io");
    }

    @Test
    void theRepositoryDropsTheTagAndTheDigestButNotThePort()
    {
        assertThat(ImageNames.repository("127.0.0.1:5443/berth/busybox:1")).isEqualTo("127.0.0.1:5443/berth/busybox");
        assertThat(ImageNames.repository("127.0.0.1:5443/berth/busybox")).isEqualTo("127.0.0.1:5443/berth/busybox");
        assertThat(ImageNames.repository("busybox:1@sha256:" + "b".repeat(64))).isEqualTo("busybox");
        assertThat(ImageNames.repository("org/job@sha256:" + "c".repeat(64))).isEqualTo("org/job");
    }

    @Test
    void dockerConfigKeysNameTheirRegistryWhateverTheirSpelling()
    {
        assertThat(ImageNames.host("https://index.docker.io/v1/")).isEqualTo("docker.io");
        assertThat(ImageNames.host("https://127.0.0.1:5443")).isEqualTo("127.0.0.1:5443");
        assertThat(ImageNames.host("127.0.0.1:5443")).isEqualTo("127.0.0.1:5443");
    }
}
