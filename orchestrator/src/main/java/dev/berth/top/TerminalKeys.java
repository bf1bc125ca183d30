package dev.berth.top;

import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp.Capability;

import java.util.Arrays;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Decodes a terminal's input into {@link Key}s: the escape sequences its terminfo entry names for the
 * arrow and page keys, the common VT100 and xterm ones besides (terminals send either, depending on the
 * keypad mode), and every other character as typed.
 */
final class TerminalKeys
{
    /** How long a lone ESC waits for the rest of an escape sequence before it counts as the Esc key. */
    private static final long ESCAPE_WAIT_MILLIS = 100;
    /** Stands for any character beyond ASCII; which one it was is the binding just read. */
    private static final Object TEXT = new Object();

    private final BindingReader input;
    private final KeyMap<Object> keys = new KeyMap<>();

    TerminalKeys(Terminal terminal)
    {
        requireNonNull(terminal, "terminal is null");
        this.input = new BindingReader(terminal.reader());
        bind(terminal, Key.Named.UP, Capability.key_up, "\033[A", "\033OA");
        bind(terminal, Key.Named.DOWN, Capability.key_down, "\033[B", "\033OB");
        bind(terminal, Key.Named.PAGE_UP, Capability.key_ppage, "\033[5~");
        bind(terminal, Key.Named.PAGE_DOWN, Capability.key_npage, "\033[6~");
        bind(terminal, Key.Named.HOME, Capability.key_home, "\033[H", "\033OH", "\033[1~");
        bind(terminal, Key.Named.END, Capability.key_end, "\033[F", "\033OF", "\033[4~");
        keys.bind(Key.Named.ENTER, "\r", "\n");
        keys.bind(Key.Named.ESCAPE, KeyMap.esc());
        keys.bind(Key.Named.BACKSPACE, KeyMap.del(), KeyMap.ctrl('H'));
        keys.bind(Key.Named.TAB, "\t");
        keys.bind(Key.Named.INTERRUPT, KeyMap.ctrl('C'));
        for (char character = ' '; character < 0x7f; character++) {
            keys.bind(Key.typed(character), String.valueOf(character));
        }
        keys.setUnicode(TEXT);
        keys.setNomatch(Key.Named.UNKNOWN);
        keys.setAmbiguousTimeout(ESCAPE_WAIT_MILLIS);
    }

    private void bind(Terminal terminal, Key key, Capability capability, String... sequences)
    {
        keys.bind(key, Arrays.stream(sequences).toList());
        // The terminfo entry's own, when it has one: tmux and screen, for one, send \033[1~ for Home
        String own = KeyMap.key(terminal, capability);
        if (own != null && !own.isEmpty() && Arrays.stream(sequences).noneMatch(own::equals)) {
            keys.bind(key, own);
        }
    }

    /**
     * Waits up to {@code millis} for a key: the next character without taking it, {@link
     * org.jline.utils.NonBlockingReader#READ_EXPIRED} when none came, {@link org.jline.utils.NonBlockingReader#EOF}
     * at the end of the input.
     */
    int peek(long millis)
    {
        return input.peekCharacter(millis);
    }

    /** The next key, once one has come; empty at the end of the input. */
    Optional<Key> read()
    {
        Object bound = input.readBinding(keys, null, true);
        if (bound == TEXT) {
            return Optional.of(new Key.Typed(input.getLastBinding().codePointAt(0)));
        }
        return Optional.ofNullable(bound).map(Key.class::cast);
    }
}
