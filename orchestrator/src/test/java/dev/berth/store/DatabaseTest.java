package dev.berth.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseTest
{
    @TempDir
    Path temp;

    private Database database;

    @BeforeEach
    void open()
            throws Exception
    {
        database = Database.open(temp.resolve("berth.db"));
        database.inTransaction(() -> database.update("CREATE TABLE facts (fact TEXT)"));
    }

    @AfterEach
    void close()
    {
        database.close();
    }

    @Test
    void aReadNeitherWaitsForATransactionInProgressNorSeesHalfOfIt()
            throws Exception
    {
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> transaction = CompletableFuture.supplyAsync(() -> database.inTransaction(() -> {
            database.update("INSERT INTO facts VALUES ('uncommitted')");
            written.countDown();
            await(release);
            return 1;
        }));
        assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();

        // Answered while the transaction still holds the writer: a page or a scrape never queues behind the scheduler's writes
        assertThat(facts()).isZero();

        release.countDown();
        transaction.get(10, TimeUnit.SECONDS);
        assertThat(facts()).as("the commit, seen by the next read").isEqualTo(1);
    }

    @Test
    void aReadInsideATransactionSeesWhatItWroteSoFar()
    {
        int seen = database.inTransaction(() -> {
            database.update("INSERT INTO facts VALUES ('mine')");
            return facts();
        });

        assertThat(seen).isEqualTo(1);
    }

    @Test
    void aReadNeverWrites()
    {
        assertThatThrownBy(() -> database.read(() -> database.update("INSERT INTO facts VALUES ('sneaked')")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("readonly");
        assertThat(facts()).isZero();
    }

    @Test
    void joinedNumbersComeBackAsTheyWereStoredInTheirOrder()
    {
        database.inTransaction(() -> database.update("INSERT INTO facts VALUES ('1733097600000'), ('-5'), ('0'), ('9223372036854775807')"));

        long[] numbers = database.read(() -> database.joinedNumbers("SELECT group_concat(CAST(fact AS INTEGER)) FROM (SELECT fact FROM facts ORDER BY rowid)"));

        assertThat(numbers).containsExactly(1_733_097_600_000L, -5, 0, Long.MAX_VALUE);
        assertThat(database.read(() -> database.joinedNumbers("SELECT group_concat(CAST(fact AS INTEGER)) FROM facts WHERE fact = 'none'")))
                .as("no rows").isEmpty();
        assertThatThrownBy(() -> database.read(() -> database.joinedNumbers("SELECT group_concat(fact || '.5') FROM facts")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("not a list of whole numbers");
    }

    @Test
    void joinedColumnsOfOneScanComeBackRowForRow()
    {
        database.inTransaction(() -> database.update("INSERT INTO facts VALUES ('30'), ('10'), ('20')"));

        long[][] columns = database.read(() -> database.joinedNumberColumns(
                "SELECT group_concat(CAST(fact AS INTEGER)), group_concat(CAST(fact AS INTEGER) - 100) FROM (SELECT fact FROM facts ORDER BY rowid)", 2));

        assertThat(columns[0]).containsExactly(30, 10, 20);
        assertThat(columns[1]).as("the second column's numbers, in the same rows' order").containsExactly(-70, -90, -80);
        assertThat(database.read(() -> database.joinedNumberColumns("SELECT group_concat(fact), group_concat(fact) FROM facts WHERE fact = 'none'", 2)))
                .as("no rows").isDeepEqualTo(new long[][] {{}, {}});
    }

    private int facts()
    {
        return database.read(() -> database.queryOne("SELECT count(*) FROM facts", rows -> rows.getInt(1)).orElseThrow());
    }

    private static void await(CountDownLatch latch)
    {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released within 10 s");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
