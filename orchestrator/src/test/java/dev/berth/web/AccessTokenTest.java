package dev.berth.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessTokenTest
{
    @TempDir
    Path temp;

    @Test
    void isMadeOnceOwnerOnlyAndReadBackAfter()
            throws Exception
    {
        Path file = temp.resolve("http-token");
        AccessToken made = AccessToken.loadOrCreate(file);
        AccessToken again = AccessToken.loadOrCreate(file);

        assertThat(made.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.matches(made.reveal())).isTrue();
        assertThat(made.reveal()).hasSize(64);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void neverShowsItsValueInToString()
            throws Exception
    {
        AccessToken token = AccessToken.loadOrCreate(temp.resolve("http-token"));

        assertThat(token.toString()).doesNotContain(token.reveal());
    }

    @Test
    void aTokenFileOthersCanReadIsRefusedSayingHowToFixIt()
            throws Exception
    {
        Path file = temp.resolve("http-token");
        Files.writeString(file, "a".repeat(64));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> AccessToken.loadOrCreate(file)).hasMessageContaining("chmod 600 " + file);
    }

    @Test
    void aLinkInPlaceOfTheFileIsRefused()
            throws Exception
    {
        Path file = temp.resolve("http-token");
        Path elsewhere = Files.writeString(temp.resolve("elsewhere"), "b".repeat(64));
        Files.createSymbolicLink(file, elsewhere);

        assertThatThrownBy(() -> AccessToken.loadOrCreate(file)).hasMessageContaining("is not a regular file");
    }
}
