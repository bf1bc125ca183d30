package dev.berth.top;

import dev.berth.top.TopKeys.Step;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code berth top} on a terminal: the alternate screen in raw mode, redrawn (only what changed) at every
 * refresh, every key and every resize, until q. Whatever ends it (q, Ctrl-C, an error, the JVM shutting
 * down on SIGTERM), the terminal is put back as it was: main screen, cursor, keypad, line discipline.
 */
public final class TopSession
{
    /** The most log lines kept to scroll back through. */
    private static final int LOG_LINES = 5000;

    private final Terminal terminal;
    private final TopData data;
    private final TopScreen screen;
    private final RefreshTimer timer;
    private final Display display;
    private final TerminalKeys keys;
    private final Size size = new Size();
    // Read and written by the loop, read by the resize handler (another thread): guarded by this
    private TopSnapshot snapshot;
    private TopView view = TopView.start();
    private Optional<LogExcerpt> log = Optional.empty();
    private boolean restored;

    public TopSession(Terminal terminal, TopData data, TopScreen screen, Clock clock, Duration interval)
    {
        this.terminal = requireNonNull(terminal, "terminal is null");
        this.data = requireNonNull(data, "data is null");
        this.screen = requireNonNull(screen, "screen is null");
        this.timer = new RefreshTimer(clock, interval);
        this.display = new Display(terminal, true);
        this.keys = new TerminalKeys(terminal);
    }

    /** Runs until the person quits (or the terminal's input ends). */
    public void run()
    {
        synchronized (this) {
            size.copy(terminal.getSize());
        }
        Terminal.SignalHandler previousResize = terminal.handle(Terminal.Signal.WINCH, signal -> resized());
        Attributes saved = enterRawMode();
        Thread restoreOnExit = new Thread(() -> restore(saved, previousResize), "berth-top-restore");
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
        try {
            terminal.puts(Capability.enter_ca_mode);
            // Cleared and homed even when there is an alternate screen: entering one leaves the cursor where it was,
            // and Display counts its moves from the top left
            terminal.puts(Capability.clear_screen);
            terminal.puts(Capability.keypad_xmit);
            terminal.puts(Capability.cursor_invisible);
            terminal.flush();
            loop();
        }
        finally {
            restore(saved, previousResize);
            try {
                Runtime.getRuntime().removeShutdownHook(restoreOnExit);
            }
            catch (IllegalStateException e) {
                // The JVM is shutting down: the hook runs, and finds the terminal restored already
            }
        }
    }

    private void loop()
    {
        while (true) {
            if (timer.due()) {
                refresh();
                draw();
            }
            // Waits for a key until the next refresh is due (at least a millisecond, so a refresh a moment away is not spun for)
            int next = keys.peek(Math.max(1, timer.untilDue().toMillis()));
            if (next == NonBlockingReader.EOF) {
                return;
            }
            if (next == NonBlockingReader.READ_EXPIRED) {
                continue;
            }
            Optional<Key> key = keys.read();
            if (key.isEmpty()) {
                return;
            }
            if (key.get() == Key.Named.UNKNOWN) {
                continue;
            }
            if (!pressed(key.get())) {
                return;
            }
            draw();
        }
    }

    /** Takes the step {@code key} asks for; false when it is to quit. */
    private boolean pressed(Key key)
    {
        TopView before;
        Step step;
        synchronized (this) {
            before = view;
            step = TopKeys.press(view, key, snapshot, Math.max(1, size.getRows() / 2));
            view = step.view();
        }
        Optional<TopKeys.Action> action = step.action();
        if (action.isPresent() && action.get() instanceof TopKeys.Quit) {
            return false;
        }
        if (action.isPresent() && action.get() instanceof TopKeys.Cancel cancel) {
            String outcome = data.cancel(cancel.jobId());
            synchronized (this) {
                view = view.withMessage(outcome);
            }
            refresh();
        }
        else if (!view.following().equals(before.following()) || view.stream() != before.stream() || view.scroll() != before.scroll()) {
            readLog();
        }
        return true;
    }

    /** A new snapshot (and the log followed), read outside the lock: the resize handler draws the last one meanwhile. */
    private void refresh()
    {
        TopSnapshot next = data.snapshot();
        timer.refreshed();
        synchronized (this) {
            snapshot = next;
        }
        readLog();
    }

    private void readLog()
    {
        TopView current;
        int rows;
        synchronized (this) {
            current = view;
            rows = size.getRows();
        }
        Optional<LogExcerpt> next = current.following()
                .map(id -> data.log(id, current.stream(), (int) Math.min(LOG_LINES, (long) rows + current.scroll())));
        synchronized (this) {
            log = next;
            // Scrolled further back than there is: back to the first line, so the next key down moves at once
            if (next.isPresent() && view.following().equals(current.following())) {
                view = view.withScroll(Math.min(view.scroll(), TopScreen.maxScroll(next.get(), rows)));
            }
        }
    }

    private synchronized void draw()
    {
        if (restored || snapshot == null) {
            return;
        }
        display.resize(size.getRows(), size.getColumns());
        List<AttributedString> rows = screen.render(snapshot, view, log, size.getColumns(), size.getRows());
        // Each row but the last ends its line, so Display moves down to the next instead of wrapping into it (writing
        // to the margin and backspacing, which terminals take differently); and in a list of its own, as Display changes it
        List<AttributedString> lines = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            lines.add(i < rows.size() - 1 ? new AttributedStringBuilder().append(rows.get(i)).append('\n').toAttributedString() : rows.get(i));
        }
        display.update(lines, -1);
        terminal.flush();
    }

    /** SIGWINCH: the whole screen drawn again at the new size, at once, from the last snapshot. */
    private void resized()
    {
        synchronized (this) {
            size.copy(terminal.getSize());
            display.clear();
        }
        draw();
    }

    /**
     * Raw mode as JLine makes it, and without signals from keys: Ctrl-C arrives as a key, so it quits the
     * way q does, terminal restored, instead of killing the JVM in the alternate screen.
     */
    private Attributes enterRawMode()
    {
        Attributes saved = terminal.enterRawMode();
        Attributes raw = terminal.getAttributes();
        raw.setLocalFlag(Attributes.LocalFlag.ISIG, false);
        terminal.setAttributes(raw);
        return saved;
    }

    private synchronized void restore(Attributes saved, Terminal.SignalHandler previousResize)
    {
        if (restored) {
            return;
        }
        restored = true;
        terminal.handle(Terminal.Signal.WINCH, previousResize);
        if (!terminal.puts(Capability.exit_ca_mode)) {
            terminal.puts(Capability.clear_screen);
        }
        terminal.puts(Capability.keypad_local);
        // cnorm, the cursor as it normally is (cvvis, "cursor_visible", is the very visible one some terminals make blink)
        terminal.puts(Capability.cursor_normal);
        terminal.flush();
        terminal.setAttributes(saved);
    }
}
