package dev.berth.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig.Pragma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * The store's two connections to the state file, with their SQLite settings, and the plumbing every
 * store class runs its SQL through. Writes go through one connection and reads through another, each
 * with its own lock: {@link #inTransaction} holds the writer's, {@link #read} the reader's, for their
 * whole work, so statements from several threads never interleave on a connection, and a read (a
 * dashboard's page, a scrape of the metrics) never waits for the scheduler's writes, nor they for it.
 * In WAL mode the reader sees each committed transaction and never half of one. A read made inside a
 * transaction runs on the writer, so it sees what the transaction wrote so far. {@link #query} and
 * {@link #update} run inside such work (or while the store is being opened, before anyone else holds
 * it); that they throw {@link SQLException} keeps a public store method from calling them without
 * one of the two.
 */
final class Database
        implements AutoCloseable
{
    private final Path file;
    private final Connection writer;
    private final Object readLock = new Object();
    /** Opened at the first read, so a command that only writes opens one connection; guarded by {@link #readLock}. */
    private Connection reader;
    /** The connection the calling thread's work runs on, while it runs. */
    private final ThreadLocal<Connection> working = new ThreadLocal<>();

    private Database(Path file, Connection writer)
    {
        this.file = requireNonNull(file, "file is null");
        this.writer = requireNonNull(writer, "writer is null");
    }

    static Database open(Path databaseFile)
            throws SQLException, IOException
    {
        Files.createDirectories(databaseFile.toAbsolutePath().getParent());
        // Settings as the driver's connection properties, and the driver called directly: a short command's
        // start pays neither for a second parse of the settings nor for DriverManager's search of the class path
        Properties settings = new Properties();
        settings.setProperty(Pragma.JOURNAL_MODE.pragmaName, "WAL");
        settings.setProperty(Pragma.SYNCHRONOUS.pragmaName, "NORMAL");
        settings.setProperty(Pragma.BUSY_TIMEOUT.pragmaName, "10000");
        settings.setProperty(Pragma.FOREIGN_KEYS.pragmaName, "true");
        // Take the write lock when a transaction starts: a deferred one that reads, then writes, fails
        // at once with SQLITE_BUSY when the CLI writes a cancel at the same moment.
        settings.setProperty(Pragma.TRANSACTION_MODE.pragmaName, "IMMEDIATE");
        Path file = databaseFile.toAbsolutePath();
        return new Database(file, connect(file, settings));
    }

    private static Connection connect(Path file, Properties settings)
            throws SQLException
    {
        return JDBC.createConnection("jdbc:sqlite:" + file, settings);
    }

    private Connection reader()
            throws SQLException
    {
        if (reader == null) {
            if (writer.isClosed()) {
                throw new SQLException("the store is closed");
            }
            Properties settings = new Properties();
            settings.setProperty(Pragma.BUSY_TIMEOUT.pragmaName, "10000");
            settings.setProperty(Pragma.FOREIGN_KEYS.pragmaName, "true");
            Connection connection = connect(file, settings);
            try (PreparedStatement statement = connection.prepareStatement("PRAGMA query_only = true")) {
                statement.execute();
            }
            reader = connection;
        }
        return reader;
    }

    /**
     * Runs a read as single statements outside any transaction: in WAL mode each sees a committed
     * snapshot and waits for no writer, so {@code berth list} stays quick while the daemon writes.
     */
    <T> T read(Work<T> work)
    {
        if (working.get() != null) {
            return run(work);
        }
        synchronized (readLock) {
            try {
                working.set(reader());
                return run(work);
            }
            catch (SQLException e) {
                throw new StoreException("state database error: " + e.getMessage(), e);
            }
            finally {
                working.remove();
            }
        }
    }

    private static <T> T run(Work<T> work)
    {
        try {
            return work.run();
        }
        catch (SQLException | JsonProcessingException e) {
            throw new StoreException("state database error: " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in one transaction, so readers never see half a change and writers queue up. */
    synchronized <T> T inTransaction(Work<T> work)
    {
        Connection connection = writer;
        Connection outer = working.get();
        working.set(connection);
        try {
            connection.setAutoCommit(false);
            T result = work.run();
            connection.commit();
            return result;
        }
        catch (SQLException | JsonProcessingException e) {
            rollback();
            throw new StoreException("state database error: " + e.getMessage(), e);
        }
        catch (RuntimeException e) {
            rollback();
            throw e;
        }
        finally {
            restore(outer);
            try {
                connection.setAutoCommit(true);
            }
            catch (SQLException ignored) {
                // the connection is broken; the next call reports it
            }
        }
    }

    private void restore(Connection outer)
    {
        if (outer == null) {
            working.remove();
        }
        else {
            working.set(outer);
        }
    }

    /** The connection of the work the calling thread runs; the writer while the store is being opened. */
    private Connection connection()
    {
        Connection connection = working.get();
        return connection == null ? writer : connection;
    }

    int update(String sql, Object... parameters)
            throws SQLException
    {
        try (PreparedStatement statement = connection().prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        }
    }

    <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters)
            throws SQLException
    {
        try (PreparedStatement statement = connection().prepareStatement(sql)) {
            bind(statement, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                List<T> results = new ArrayList<>();
                while (rows.next()) {
                    results.add(mapper.map(rows));
                }
                return results;
            }
        }
    }

    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... parameters)
            throws SQLException
    {
        return query(sql, mapper, parameters).stream().findFirst();
    }

    /**
     * The whole numbers that {@code sql}, a {@code SELECT group_concat(...)} of one row, joins with commas,
     * in its order: a read of a range of 10⁵ values crosses from SQLite into Java once, not once per row and
     * column, which is most of the time such a read takes row by row. None: an empty array.
     */
    long[] joinedNumbers(String sql, Object... parameters)
            throws SQLException
    {
        return joinedNumberColumns(sql, 1, parameters)[0];
    }

    /**
     * The same for each of the first {@code columns} columns of the one row, each a {@code group_concat} over
     * the same rows: one scan gives several numbers per row, each array in the rows' order. The text is read
     * as SQLite's bytes, never decoded into a Java string: a week of jobs is megabytes of digits.
     */
    long[][] joinedNumberColumns(String sql, int columns, Object... parameters)
            throws SQLException
    {
        // No rows joined: SQL NULL, so a null in the one row
        List<byte[][]> row = query(sql, rows -> {
            byte[][] texts = new byte[columns][];
            for (int column = 0; column < columns; column++) {
                texts[column] = rows.getBytes(column + 1);
            }
            return texts;
        }, parameters);
        long[][] numbers = new long[columns][];
        for (int column = 0; column < columns; column++) {
            numbers[column] = row.isEmpty() ? new long[0] : wholeNumbers(row.get(0)[column]);
        }
        return numbers;
    }

    private static long[] wholeNumbers(byte[] joined)
            throws SQLException
    {
        if (joined == null || joined.length == 0) {
            return new long[0];
        }
        int count = 1;
        for (byte b : joined) {
            if (b == ',') {
                count++;
            }
        }
        long[] numbers = new long[count];
        int next = 0;
        long value = 0;
        boolean negative = false;
        for (int i = 0; i <= joined.length; i++) {
            byte c = i < joined.length ? joined[i] : (byte) ',';
            if (c == ',') {
                numbers[next++] = negative ? -value : value;
                value = 0;
                negative = false;
            }
            else if (c == '-') {
                negative = true;
            }
            else if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
            }
            else {
                throw new SQLException("not a list of whole numbers: '" + (char) c + "' at " + i);
            }
        }
        return numbers;
    }

    /** Binds each parameter by its Java type, a null as SQL NULL. */
    private static void bind(PreparedStatement statement, Object... parameters)
            throws SQLException
    {
        for (int i = 0; i < parameters.length; i++) {
            if (parameters[i] == null) {
                statement.setNull(i + 1, Types.NULL);
            }
            else {
                statement.setObject(i + 1, parameters[i]);
            }
        }
    }

    private void rollback()
    {
        try {
            writer.rollback();
        }
        catch (SQLException ignored) {
            // nothing more to undo
        }
    }

    @Override
    public void close()
    {
        try {
            synchronized (readLock) {
                if (reader != null) {
                    reader.close();
                }
            }
            synchronized (this) {
                writer.close();
            }
        }
        catch (SQLException e) {
            throw new StoreException("cannot close state database: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    interface RowMapper<T>
    {
        T map(ResultSet rows)
                throws SQLException;
    }

    @FunctionalInterface
    interface Work<T>
    {
        T run()
                throws SQLException, JsonProcessingException;
    }
}
