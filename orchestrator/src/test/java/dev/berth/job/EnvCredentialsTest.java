package dev.berth.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which env values look like credentials, and what the warning says of them (never the value). */
class EnvCredentialsTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "AWS access key id, AWS_ACCESS_KEY_ID, AKIAIOSFODNN7EXAMPLE",
            "AWS session key id, CREDS, ASIAIOSFODNN7EXAMPLE",
            "AWS key id inside a value, CONFIG, region=us-east-1 key=AKIAIOSFODNN7EXAMPLE",
            "AWS secret access key, AWS_SECRET_ACCESS_KEY, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "40 characters under a KEY name, SIGNING_KEY, wJalrXUtnFEMI+K7MDENG+bPxRfiCYEXAMPLEKEY",
            "GitHub token, GH, ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "GitHub fine-grained token, GH, github_pat_11ABCDEFG0123456789_abcdefghij",
            "Hugging Face token, HF, hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
            "Slack bot token, SLACK, xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
            "Slack user token, SLACK, xoxp-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
            "OpenAI key, OPENAI, sk-proj-AbCdEfGhIjKlMnOpQrStUvWx",
            "JWT, AUTH, eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "a password, DB_PASSWORD, hunter2",
    })
    void flags(String kind, String key, String value)
    {
        assertThat(EnvCredentials.looksLikeCredential(key, value)).as(kind).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "a seed, SEED, 7",
            "a path, DATA_DIR, /mnt/shared/data",
            "a git commit under a KEY name, CACHE_KEY, 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
            "40 characters under a plain name, LABEL, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "a word with sk- inside, TASK, mask-rcnn-resnet50-fpn-coco",
            "a short sk- value, MODEL, sk-small",
            "a key id too short, ID, AKIA1234",
            "a secret's name, SECRET_NAME, hf_token",
            "an empty password, DB_PASSWORD, ''",
    })
    void leavesAlone(String kind, String key, String value)
    {
        assertThat(EnvCredentials.looksLikeCredential(key, value)).as(kind).isFalse();
    }

    @Test
    void namesTheKeysInOrderAndNeverTheValues()
    {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SEED", "7");
        env.put("HF_TOKEN", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345");
        env.put("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");

        List<String> keys = EnvCredentials.suspiciousKeys(env);
        String warning = EnvCredentials.warning(keys);

        assertThat(keys).containsExactly("HF_TOKEN", "AWS_ACCESS_KEY_ID");
        assertThat(warning).startsWith("env HF_TOKEN, AWS_ACCESS_KEY_ID look like a credential.")
                .contains("'berth secret create NAME', then --secret NAME", "/run/secrets/NAME")
                .doesNotContain("hf_AbCd", "AKIAIOSFODNN7EXAMPLE");
        assertThat(EnvCredentials.warning(List.of("HF_TOKEN"))).startsWith("env HF_TOKEN looks like a credential.");
    }
}
