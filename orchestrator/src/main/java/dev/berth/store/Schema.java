package dev.berth.store;

import dev.berth.job.Job;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * The state file's tables and their migrations, applied on every open. The tables are created as the
 * first version made them and every column added since is one line of {@link #MIGRATIONS}, so a new
 * store and an upgraded one take the same path and end with the same columns in the same order.
 * Opening a store that is already current writes nothing, so a CLI command never waits for the
 * daemon's write lock.
 */
final class Schema
{
    private static final List<String> TABLES = List.of(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS jobs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                state TEXT NOT NULL,
                cause TEXT,
                reason TEXT,
                request TEXT NOT NULL,
                message_id TEXT,
                repo TEXT, branch TEXT, entrypoint TEXT, params TEXT, image TEXT,
                cpus REAL, memory INTEGER, gpus INTEGER, env TEXT, timeout_ms INTEGER, max_attempts INTEGER, pool TEXT,
                image_ref TEXT, commit_sha TEXT, run_dir TEXT,
                received_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                exit_code INTEGER,
                attempts INTEGER NOT NULL DEFAULT 0,
                cancel_requested INTEGER NOT NULL DEFAULT 0)""",
            "CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, seq)",
            "CREATE INDEX IF NOT EXISTS jobs_by_state_pool ON jobs(state, pool, seq)",
            // What a purge looks for: the jobs that ended longest ago
            "CREATE INDEX IF NOT EXISTS jobs_by_finished ON jobs(finished_at)",
            """
            CREATE TABLE IF NOT EXISTS attempts (
                job_id TEXT NOT NULL REFERENCES jobs(id),
                number INTEGER NOT NULL,
                service_name TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL,
                node TEXT, cause TEXT, reason TEXT, exit_code INTEGER,
                created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                PRIMARY KEY (job_id, number))""",
            // Each user's use for fair share, as the daemon last counted it (see UsageLedger): for the commands that
            // show a queued job's place; the daemon itself counts again from the attempts when it starts
            """
            CREATE TABLE IF NOT EXISTS user_usage (user TEXT PRIMARY KEY, hours REAL NOT NULL, as_of INTEGER NOT NULL) WITHOUT ROWID""",
            // The jobs each job waits for (after, after_any), by whole id; a new table, so an older store gains it here, empty.
            // depends_on has no foreign key: a dependency that ended may be purged before its dependents are
            """
            CREATE TABLE IF NOT EXISTS job_dependencies (
                job_id TEXT NOT NULL REFERENCES jobs(id),
                depends_on TEXT NOT NULL,
                kind TEXT NOT NULL,
                PRIMARY KEY (job_id, depends_on)) WITHOUT ROWID""",
            // What the end of a job reads: the jobs waiting for it
            "CREATE INDEX IF NOT EXISTS job_dependencies_by_target ON job_dependencies(depends_on)");

    /**
     * Every column added since the first version, oldest first; the next one goes at the end. Rows stored
     * before a column existed hold its default, so a NOT NULL column needs one (SQLite insists).
     */
    private static final List<AddedColumn> MIGRATIONS = List.of(
            new AddedColumn("jobs", "retry_exit_codes", "TEXT"),
            new AddedColumn("jobs", "secrets", "TEXT"),
            new AddedColumn("jobs", "user", "TEXT NOT NULL DEFAULT '" + Job.UNKNOWN_USER + "'"),
            // NULL for jobs stored before: they are stopped with the default grace
            new AddedColumn("jobs", "stop_grace_ms", "INTEGER"),
            // The commit a request pins (a rerun's); commit_sha is the one the job ran, pinned or resolved
            new AddedColumn("jobs", "pinned_commit", "TEXT"),
            new AddedColumn("jobs", "rerun_of", "TEXT"),
            new AddedColumn("jobs", "priority", "INTEGER NOT NULL DEFAULT 0"),
            // What the attempt cost, as CostJson stores it; NULL for attempts not ended, or ended before costs were kept
            new AddedColumn("attempts", "cost", "TEXT"),
            // Which task of which array a job is (NULL for a job of its own), and the array's range as ArraySpec writes it
            new AddedColumn("jobs", "array_id", "TEXT"),
            new AddedColumn("jobs", "array_index", "INTEGER"),
            new AddedColumn("jobs", "array_spec", "TEXT"),
            // 1 while a task WAITING for a free place under its array's %LIMIT (see ArrayTasks), not for a dependency
            new AddedColumn("jobs", "array_held", "INTEGER NOT NULL DEFAULT 0"));

    /**
     * Indexes made once the migrations have run, so they may cover an added column. A listing filtered
     * by name, repository or user walks one of these newest first (see {@code JobReads.newestMatching}).
     */
    private static final List<String> INDEXES = List.of(
            "CREATE INDEX IF NOT EXISTS jobs_by_name ON jobs(name, seq)",
            "CREATE INDEX IF NOT EXISTS jobs_by_repo ON jobs(repo, seq)",
            "CREATE INDEX IF NOT EXISTS jobs_by_user ON jobs(user, seq)",
            // An array's tasks in index order: what its summary, its cancel and the freeing of a place under its limit read
            "CREATE INDEX IF NOT EXISTS jobs_by_array ON jobs(array_id, state, array_held, array_index) WHERE array_id IS NOT NULL",
            // Admission's view of the queue (see JobReads.queuedUsers and queuedOf): each user's queued jobs of a pool in
            // the order they go, partial so that only the queue is in it and a job leaves it when admitted
            "CREATE INDEX IF NOT EXISTS jobs_queued_in_line ON jobs(pool, user, priority DESC, seq) WHERE state = 'QUEUED'",
            // What fair share reads at start: the attempts that ended in the last few half-lives
            "CREATE INDEX IF NOT EXISTS attempts_by_finished ON attempts(finished_at) WHERE finished_at IS NOT NULL",
            // What berth stats reads of a window of time (see StatsReads): ranges of these six, which hold the columns it
            // needs, so SQLite reads the index alone, not the wide rows. Each is partial, on times set once: a job enters the
            // first four once, when it ends and when it first starts, leaves the fifth then, and enters the last (few do) if it
            // ended without a start; its other moves write none
            "CREATE INDEX IF NOT EXISTS jobs_by_end ON jobs(finished_at, state, cause, pool, started_at, received_at, gpus, cpus, repo, user)"
                    + " WHERE finished_at IS NOT NULL",
            "CREATE INDEX IF NOT EXISTS jobs_by_start ON jobs(started_at, received_at, pool, repo, user) WHERE started_at IS NOT NULL",
            // (the two times alone, for a week's run and wait times when not grouped: a quarter of the pages of the two above)
            "CREATE INDEX IF NOT EXISTS jobs_run_times ON jobs(finished_at, started_at) WHERE finished_at IS NOT NULL AND started_at IS NOT NULL",
            "CREATE INDEX IF NOT EXISTS jobs_wait_times ON jobs(started_at, received_at) WHERE started_at IS NOT NULL",
            // (the two times, always NULL in it, so that SQLite need not read the row to see that they are)
            "CREATE INDEX IF NOT EXISTS jobs_waiting ON jobs(received_at, started_at, finished_at) WHERE started_at IS NULL AND finished_at IS NULL",
            "CREATE INDEX IF NOT EXISTS jobs_ended_unstarted ON jobs(finished_at, received_at, started_at) WHERE started_at IS NULL AND finished_at IS NOT NULL");

    private Schema() {}

    /** Creates the tables a new store lacks and adds the columns an older store lacks. */
    static void upgrade(Database database)
            throws SQLException
    {
        // IF NOT EXISTS: on an existing store these are no-ops that take no write lock.
        for (String table : TABLES) {
            database.update(table);
        }
        if (!missingColumns(database).isEmpty()) {
            // Checked again under the write lock, so two berths upgrading at once add each column only once.
            database.inTransaction(() -> {
                for (AddedColumn column : missingColumns(database)) {
                    database.update("ALTER TABLE " + column.table() + " ADD COLUMN " + column.name() + " " + column.definition());
                }
                return null;
            });
        }
        for (String index : INDEXES) {
            database.update(index);
        }
        EndedHours.create(database);
    }

    /** Labels every Swarm service this store's daemon creates: made on the store's first open, then kept. */
    static String instanceId(Database database)
            throws SQLException
    {
        Optional<String> instance = database.queryOne("SELECT value FROM meta WHERE key = 'instance'", rows -> rows.getString(1));
        if (instance.isPresent()) {
            return instance.get();
        }
        // OR IGNORE and read back: two berths opening a new store at once agree on the first one written.
        database.update("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance', ?)", UUID.randomUUID().toString().substring(0, 8));
        return database.queryOne("SELECT value FROM meta WHERE key = 'instance'", rows -> rows.getString(1)).orElseThrow();
    }

    /** The migrations not yet applied to this store, in order; one look at each table's columns. */
    private static List<AddedColumn> missingColumns(Database database)
            throws SQLException
    {
        Map<String, List<String>> columnsByTable = new HashMap<>();
        List<AddedColumn> missing = new ArrayList<>();
        for (AddedColumn column : MIGRATIONS) {
            List<String> present = columnsByTable.get(column.table());
            if (present == null) {
                present = database.query("PRAGMA table_info(" + column.table() + ")", rows -> rows.getString("name"));
                columnsByTable.put(column.table(), present);
            }
            if (!present.contains(column.name())) {
                missing.add(column);
            }
        }
        return missing;
    }

    /** One migration: {@code ALTER TABLE table ADD COLUMN name definition}. */
    private record AddedColumn(String table, String name, String definition)
    {
        AddedColumn
        {
            requireNonNull(table, "table is null");
            requireNonNull(name, "name is null");
            requireNonNull(definition, "definition is null");
        }
    }
}
