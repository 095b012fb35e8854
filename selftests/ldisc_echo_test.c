// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc_echo_test - directed tests of the line discipline, echo and
 * output: ECHO and its companions (ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL,
 * ECHOPRT), erase, word erase, kill, reprint and literal-next echoes with
 * their column arithmetic (tabs, control characters, UTF-8), output
 * processing (OPOST, OLCUC, ONLCR, OCRNL, ONOCR, ONLRET, OFILL, OFDEL,
 * delays, XTABS) with its column tracking, and echoes interleaved whole
 * with program output. Every case runs on N_TTY, on our discipline on a
 * devpts slave and on a mypts slave (ldisc_fixture.h).
 */
#include "ldisc_fixture.h"

#define STD_I	(ICRNL | IXON)
#define STD_O	(OPOST | ONLCR)
#define STD_L	(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN)

/* ---- ECHO, ECHOCTL, ECHONL ---- */

/*
 * Without ECHO nothing is echoed; in raw mode with ECHOCTL a NL echoes as
 * ^J, but a CR that ICRNL turns into NL takes the newline path and echoes
 * as a newline (n_tty.c:1391-1393 against 1406-1421).
 */
TEST_F(ldisc, echo_in_both_modes)
{
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	PUT(self->m, "ab\n");
	EXPECT_READ(self->s, "ab\n");
	EXPECT_QUIET(self->m);

	ASSERT_EQ(0, ld_modes(self->s, STD_I, STD_O, ECHO | ECHOCTL));
	PUT(self->m, "a\x01\n\r");
	EXPECT_BYTES(self->m, "a^A^J\r\n");
	EXPECT_BYTES(self->s, "a\x01\n\n");
	ASSERT_EQ(0, ld_modes(self->s, STD_I, STD_O, ECHO));
	PUT(self->m, "b\x01\n");
	EXPECT_BYTES(self->m, "b\x01\r\n");
	EXPECT_BYTES(self->s, "b\x01\n");
}

/*
 * ECHONL echoes a newline without ECHO, in canonical mode only
 * (n_tty.c:1335); in raw mode NL is not special and nothing is echoed.
 */
TEST_F(ldisc, echonl_without_echo)
{
	ASSERT_EQ(0, ld_modes(self->s, STD_I, STD_O, (STD_L & ~ECHO) | ECHONL));
	PUT(self->m, "pw\x7fx\x15y\n");
	EXPECT_BYTES(self->m, "\r\n");
	EXPECT_READ(self->s, "y\n");
	ASSERT_EQ(0, ld_modes(self->s, STD_I, STD_O, ECHONL));
	PUT(self->m, "q\n");
	EXPECT_BYTES(self->s, "q\n");
	EXPECT_QUIET(self->m);
}

/*
 * ECHOCTL echoes the kernel's control characters (iscntrl(): 0x00-0x1f
 * and DEL) but TAB as ^X, DEL as ^? (n_tty.c:928, 705-718); the kernel's
 * ctype gives 0x80-0x9f no class, so they, like 0xa0-0xff, echo as
 * themselves.
 */
TEST_F(ldisc, echoctl_caret_notation)
{
	ASSERT_EQ(0, ld_modes(self->s, 0, STD_O, ECHO | ECHOCTL));
	PUT(self->m, "\0\x01\x1b\x1f\x7f\x9f\t\xa0\xff");
	EXPECT_BYTES(self->m, "^@^A^[^_^?\x9f\t\xa0\xff");
	EXPECT_BYTES(self->s, "\0\x01\x1b\x1f\x7f\x9f\t\xa0\xff");
	ASSERT_EQ(0, ld_modes(self->s, 0, STD_O, ECHO));
	PUT(self->m, "\x01\x1b\x7f\x80.");
	EXPECT_BYTES(self->m, "\x01\x1b\x7f\x80.");
	EXPECT_BYTES(self->s, "\x01\x1b\x7f\x80.");
}

/*
 * Bytes 0x80-0x82 are also the echo buffer's op codes (n_tty.c:73-75);
 * echoed they must still come out as themselves, each taking a column
 * (they are not iscntrl()), as a following tab shows.
 */
TEST_F(ldisc, echo_of_bytes_like_echo_ops)
{
	ASSERT_EQ(0, ld_modes(self->s, 0, STD_O | TAB3, ECHO | ECHOCTL));
	PUT(self->m, "ab\x80.\x81,\x82");
	EXPECT_BYTES(self->m, "ab\x80.\x81,\x82");
	ASSERT_EQ(2, pty_write_str(self->s, "\t|"));
	EXPECT_BYTES(self->m, " |");
	EXPECT_BYTES(self->s, "ab\x80.\x81,\x82");
}

/* 0xff is echoed as itself once, though the echo buffer escapes it (n_tty.c:899-906). */
TEST_F(ldisc, echo_of_ff)
{
	PUT(self->m, "\xff\xff\n");
	EXPECT_BYTES(self->m, "\xff\xff\r\n");
	EXPECT_READ(self->s, "\xff\xff\n");
}

/* ---- ERASE ---- */

/*
 * ECHOE erases visually with "\b \b", two of them for a ^X echo (one for
 * 0x9f, which the kernel does not call a control character); without
 * ECHOCTL a control character took no column and its erase echoes
 * nothing; without ECHOE the ERASE character itself is echoed; erasing an
 * empty line echoes nothing (n_tty.c:966-969, 1025-1070).
 */
TEST_F(ldisc, erase_echo_widths)
{
	PUT(self->m, "ab\x7f\x1b\x7f\x9f\x7f\x7f\177c\n");
	EXPECT_BYTES(self->m, "ab\b \b^[\b \b\b \b\x9f\b \b\b \bc\r\n");
	EXPECT_READ(self->s, "c\n");

	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOCTL));
	PUT(self->m, "a\x01\x7f\177d\n");
	EXPECT_BYTES(self->m, "a\x01\b \bd\r\n");
	EXPECT_READ(self->s, "d\n");

	ASSERT_EQ(0, pty_lflags(self->s, ECHOCTL, ECHOE));
	PUT(self->m, "ab\x7f\n");
	EXPECT_BYTES(self->m, "ab^?\r\n");
	EXPECT_READ(self->s, "a\n");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOCTL));
	PUT(self->m, "ab\x7f\n");
	EXPECT_BYTES(self->m, "ab\x7f\r\n");
	EXPECT_READ(self->s, "a\n");
	ASSERT_EQ(0, pty_lflags(self->s, ECHOE | ECHOCTL, 0));
	PUT(self->m, "\x7f\x15\x17z\n");
	EXPECT_BYTES(self->m, "z\r\n");
	EXPECT_READ(self->s, "z\n");
}

/*
 * Erasing a tab backs up to where the tab started: the columns of the
 * characters since the previous tab, or since the start of the line plus
 * the column the line started in; ^X echoes count two, other control
 * characters none (n_tty.c:1029-1052, 647-661).
 */
TEST_F(ldisc, erase_tab_column_math)
{
	PUT(self->m, "abc\t\x7f\n");
	EXPECT_BYTES(self->m, "abc\t\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "abc\n");
	PUT(self->m, "a\tb\t\x7f\n");
	EXPECT_BYTES(self->m, "a\tb\t\b\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "a\tb\n");
	PUT(self->m, "\t\t\x7f\n");
	EXPECT_BYTES(self->m, "\t\t\b\b\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "\t\n");
	PUT(self->m, "abcdefghij\t\x7f\n");
	EXPECT_BYTES(self->m, "abcdefghij\t\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "abcdefghij\n");
	PUT(self->m, "\x01\t\x7f\n");
	EXPECT_BYTES(self->m, "^A\t\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "\x01\n");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOCTL));
	PUT(self->m, "\x01\t\x7f\n");
	EXPECT_BYTES(self->m, "\x01\t\b\b\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "\x01\n");
}

/*
 * The line's starting column is the output column when its first
 * character was echoed, so a prompt the program wrote counts
 * (echo_set_canon_col, n_tty.c:1400-1402, 678-681).
 */
TEST_F(ldisc, erase_tab_after_prompt)
{
	ASSERT_EQ(2, pty_write_str(self->s, "ab"));
	EXPECT_BYTES(self->m, "ab");
	PUT(self->m, "\t\x7f\n");
	EXPECT_BYTES(self->m, "\t\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "\n");
	ASSERT_EQ(5, pty_write_str(self->s, "12345"));
	EXPECT_BYTES(self->m, "12345");
	PUT(self->m, "x\t\x7f\n");
	EXPECT_BYTES(self->m, "x\t\b\b\r\n");
	EXPECT_READ(self->s, "x\n");
	/* A prompt with a tab of its own, expanded by XTABS. */
	ASSERT_EQ(0, pty_oflags(self->s, TAB3, 0));
	ASSERT_EQ(4, pty_write_str(self->s, "\t>> "));
	EXPECT_BYTES(self->m, "        >> ");
	PUT(self->m, "\t\x7f\n");
	EXPECT_BYTES(self->m, "     \b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "\n");
}

/*
 * IUTF8: erase removes a whole UTF-8 sequence and a tab erase counts it as
 * one column; without IUTF8 each byte is a character (n_tty.c:995-1005,
 * 1044-1046).
 */
TEST_F(ldisc, iutf8_erase)
{
	ASSERT_EQ(0, pty_iflags(self->s, IUTF8, 0));
	PUT(self->m, "a\xc3\xa9\x7f\xe2\x82\xac\x7f\n");
	EXPECT_BYTES(self->m, "a\xc3\xa9\b \b\xe2\x82\xac\b \b\r\n");
	EXPECT_READ(self->s, "a\n");
	PUT(self->m, "\xc3\xa9\t\x7f\n");
	EXPECT_BYTES(self->m, "\xc3\xa9\t\b\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "\xc3\xa9\n");
	/* Word erase takes the sequence whole; its lead byte is a letter. */
	PUT(self->m, "ab \xc3\xa9t\x17\n");
	EXPECT_BYTES(self->m, "ab \xc3\xa9t\b \b\b \b\r\n");
	EXPECT_READ(self->s, "ab\x20\n");

	ASSERT_EQ(0, pty_iflags(self->s, 0, IUTF8));
	PUT(self->m, "a\xc3\xa9\x7f\n");
	EXPECT_BYTES(self->m, "a\xc3\xa9\b \b\r\n");
	EXPECT_READ(self->s, "a\xc3\n");
	PUT(self->m, "\xc3\xa9\t\x7f\n");
	EXPECT_BYTES(self->m, "\xc3\xa9\t\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "\xc3\xa9\n");
	PUT(self->m, "ab \xc3\xa9t\x17\n");
	EXPECT_BYTES(self->m, "ab \xc3\xa9t\b \b\r\n");
	EXPECT_READ(self->s, "ab \xc3\xa9\n");
}

/*
 * ECHOPRT prints erased characters between '\' and '/' (a UTF-8 sequence
 * whole); the '/' comes with the next character echoed, or at once when
 * the line is empty; a newline does not close it, so the '/' then starts
 * the next line (n_tty.c:938-944, 1016-1024, 1071-1072, 1334-1339).
 */
TEST_F(ldisc, echoprt_hardcopy_erase)
{
	ASSERT_EQ(0, pty_lflags(self->s, ECHOPRT, 0));
	PUT(self->m, "abc\x7f\x7fx\n");
	EXPECT_BYTES(self->m, "abc\\cb/x\r\n");
	EXPECT_READ(self->s, "ax\n");
	PUT(self->m, "ab\x7f\x7fz\n");
	EXPECT_BYTES(self->m, "ab\\ba/z\r\n");
	EXPECT_READ(self->s, "z\n");
	PUT(self->m, "abc\x15q\n");
	EXPECT_BYTES(self->m, "abc\\cba/q\r\n");
	EXPECT_READ(self->s, "q\n");
	PUT(self->m, "a\x01\x7f\n");
	EXPECT_BYTES(self->m, "a^A\\^A\r\n");
	EXPECT_READ(self->s, "a\n");
	PUT(self->m, "k\n");
	EXPECT_BYTES(self->m, "/k\r\n");
	EXPECT_READ(self->s, "k\n");
	ASSERT_EQ(0, pty_iflags(self->s, IUTF8, 0));
	PUT(self->m, "y\xe2\x82\xac\x7fw\n");
	EXPECT_BYTES(self->m, "y\xe2\x82\xac\\\xe2\x82\xac/w\r\n");
	EXPECT_READ(self->s, "yw\n");
	/* A tab is printed as itself. */
	PUT(self->m, "a\t\x7f\n");
	EXPECT_BYTES(self->m, "a\t\\\t\r\n");
	EXPECT_READ(self->s, "a\n");
	/* Switching ICANON ends the erase without a '/' (n_tty.c:1797). */
	ASSERT_EQ(0, pty_lflags(self->s, 0, ICANON));
	ASSERT_EQ(0, pty_lflags(self->s, ICANON, 0));
	PUT(self->m, "c\n");
	EXPECT_BYTES(self->m, "c\r\n");
	EXPECT_READ(self->s, "c\n");
}

/* ---- KILL and WERASE ---- */

/*
 * KILL erases the line visually only with ECHOK, ECHOKE and ECHOE all
 * set; otherwise it echoes the KILL character, and a newline with ECHOK;
 * on an empty line it echoes nothing (n_tty.c:975-990).
 */
TEST_F(ldisc, kill_echo_variants)
{
	PUT(self->m, "a\x01\tb\x15z\n");
	EXPECT_BYTES(self->m, "a^A\tb\b \b\b\b\b\b\b\b \b\b \b\b \bz\r\n");
	EXPECT_READ(self->s, "z\n");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOKE));
	PUT(self->m, "abc\x15z\n");
	EXPECT_BYTES(self->m, "abc^U\r\nz\r\n");
	EXPECT_READ(self->s, "z\n");
	ASSERT_EQ(0, pty_lflags(self->s, ECHOKE, ECHOK));
	PUT(self->m, "abc\x15z\n");
	EXPECT_BYTES(self->m, "abc^Uz\r\n");
	EXPECT_READ(self->s, "z\n");
	ASSERT_EQ(0, pty_lflags(self->s, ECHOK, ECHOE));
	PUT(self->m, "abc\x15z\n");
	EXPECT_BYTES(self->m, "abc^U\r\nz\r\n");
	EXPECT_READ(self->s, "z\n");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOCTL));
	PUT(self->m, "abc\x15z\n");
	EXPECT_BYTES(self->m, "abc\x15\r\nz\r\n");
	EXPECT_READ(self->s, "z\n");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	PUT(self->m, "abc\x15z\n");
	EXPECT_READ(self->s, "z\n");
	EXPECT_QUIET(self->m);
}

/*
 * WERASE erases back over non-word bytes and then one word of letters,
 * digits and '_' (ALTWERASE, n_tty.c:1006-1012), echoing "\b \b" for each
 * byte even without ECHOE.
 */
TEST_F(ldisc, werase_words)
{
	PUT(self->m, "foo bar\x17\n");
	EXPECT_BYTES(self->m, "foo bar\b \b\b \b\b \b\r\n");
	EXPECT_READ(self->s, "foo\x20\n");
	PUT(self->m, "foo-b_2\x17\n");
	EXPECT_BYTES(self->m, "foo-b_2\b \b\b \b\b \b\r\n");
	EXPECT_READ(self->s, "foo-\n");
	PUT(self->m, "x yz ..\x17\n");
	EXPECT_BYTES(self->m, "x yz ..\b \b\b \b\b \b\b \b\b \b\r\n");
	EXPECT_READ(self->s, "x\x20\n");
	PUT(self->m, "  \x17x\n");
	EXPECT_BYTES(self->m, "  \b \b\b \bx\r\n");
	EXPECT_READ(self->s, "x\n");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOE));
	PUT(self->m, "ab cd\x17\n");
	EXPECT_BYTES(self->m, "ab cd\b \b\b \b\r\n");
	EXPECT_READ(self->s, "ab\x20\n");
}

/* ---- REPRINT and LNEXT ---- */

/*
 * REPRINT (with ECHO and IEXTEN) echoes ^R, a newline and the line so far
 * in echo notation, closing an ECHOPRT erase first; without ECHO it is an
 * ordinary character (n_tty.c:1321-1332, 1815-1817).
 */
TEST_F(ldisc, reprint_line)
{
	PUT(self->m, "ab\x01\022c\n");
	EXPECT_BYTES(self->m, "ab^A^R\r\nab^Ac\r\n");
	EXPECT_READ(self->s, "ab\001c\n");
	PUT(self->m, "\x12\n");
	EXPECT_BYTES(self->m, "^R\r\n\r\n");
	EXPECT_READ(self->s, "\n");
	ASSERT_EQ(0, pty_lflags(self->s, ECHOPRT, 0));
	PUT(self->m, "ab\x7f\x12\n");
	EXPECT_BYTES(self->m, "ab\\b/^R\r\na\r\n");
	EXPECT_READ(self->s, "a\n");
	/*
	 * The reprint sets no start column of its own: its newline does
	 * (0 under ONLCR, else the column it was echoed in), so a tab erased
	 * after it backs up from there (n_tty.c:437-442, 1321-1332).
	 */
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOPRT));
	ASSERT_EQ(0, pty_oflags(self->s, TAB3, 0));
	ASSERT_EQ(3, pty_write_str(self->s, "abc"));
	EXPECT_BYTES(self->m, "abc");
	PUT(self->m, "\t\x12");
	EXPECT_BYTES(self->m, "     ^R\r\n        ");
	PUT(self->m, "\x7f\n");
	EXPECT_BYTES(self->m, "\b\b\b\b\b\b\b\b\r\n");
	EXPECT_READ(self->s, "\n");
	ASSERT_EQ(0, pty_oflags(self->s, 0, ONLCR));
	ASSERT_EQ(3, pty_write_str(self->s, "abc"));
	EXPECT_BYTES(self->m, "abc");
	PUT(self->m, "\t\x12");
	EXPECT_BYTES(self->m, "     ^R\n      ");
	PUT(self->m, "\x7f\n");
	EXPECT_BYTES(self->m, "\b\b\b\b\b\b\n");
	EXPECT_READ(self->s, "\n");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	PUT(self->m, "x\x12\n");
	EXPECT_READ(self->s, "x\x12\n");
	EXPECT_QUIET(self->m);
}

/*
 * LNEXT (with IEXTEN) echoes "^\b" under ECHOCTL and makes the next byte
 * ordinary: signals, editing, flow control and even NL are stored
 * (n_tty.c:1309-1318, 1467-1481).
 */
TEST_F(ldisc, lnext_quotes_the_next_byte)
{
	PUT(self->m, "\x16\x03\x16\x7f\x16\x13\x16\n\n");
	EXPECT_BYTES(self->m, "^\b^C^\b^?^\b^S^\b^J\r\n");
	EXPECT_READ(self->s, "\x03\x7f\x13\n\n");
	/* The quoted ^S stopped nothing. */
	ASSERT_EQ(1, pty_write_str(self->s, "o"));
	EXPECT_BYTES(self->m, "o");
	/* A quoted DEL is erased like any control character. */
	PUT(self->m, "a\x16\x7f\x7f\n");
	EXPECT_BYTES(self->m, "a^\b^?\b \b\b \b\r\n");
	EXPECT_READ(self->s, "a\n");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOCTL));
	PUT(self->m, "\x16\x15q\n");
	EXPECT_BYTES(self->m, "\x15q\r\n");
	EXPECT_READ(self->s, "\x15q\n");
}

/* ---- output processing ---- */

/* Without OPOST, output and echoes pass unchanged whatever else is set. */
TEST_F(ldisc, opost_off_passes_output)
{
	ASSERT_EQ(0, ld_modes(self->s, STD_I, ONLCR | OLCUC | OCRNL | TAB3, STD_L));
	ASSERT_EQ(7, pty_write_str(self->s, "a\nb\tc\rd"));
	EXPECT_BYTES(self->m, "a\nb\tc\rd");
	PUT(self->m, "x\t\x01\n");
	EXPECT_BYTES(self->m, "x\t^A\n");
	EXPECT_READ(self->s, "x\t\x01\n");
}

/*
 * OLCUC raises case with the kernel's Latin-1 toupper(): 0xe0-0xfe but
 * 0xf7 lose 0x20, and so do 0xdf and 0xff (n_tty.c:472-474); echoes are
 * raised too, ^X notation is not.
 */
TEST_F(ldisc, olcuc_raises_case)
{
	ASSERT_EQ(0, pty_oflags(self->s, OLCUC, 0));
	ASSERT_EQ(8, pty_write_str(self->s, "abc xyz\n"));
	EXPECT_BYTES(self->m, "ABC XYZ\r\n");
	ASSERT_EQ(5, pty_write_str(self->s, "\xe0\xfe\xff\xdf\xf7"));
	EXPECT_BYTES(self->m, "\xc0\xde\xdf\xbf\xf7");
	PUT(self->m, "q\x01\n");
	EXPECT_BYTES(self->m, "Q^A\r\n");
	EXPECT_READ(self->s, "q\x01\n");
}

/*
 * ONLCR maps NL to CR NL, OCRNL CR to NL (not mapped again), ONOCR drops a
 * CR in column 0, ONLRET puts a NL (or a CR mapped to NL) in column 0
 * (n_tty.c:432-455).
 */
TEST_F(ldisc, newline_and_return_maps)
{
	ASSERT_EQ(0, ld_modes(self->s, STD_I, OPOST | ONLCR | OCRNL, STD_L));
	ASSERT_EQ(4, pty_write_str(self->s, "a\rb\n"));
	EXPECT_BYTES(self->m, "a\nb\r\n");
	ASSERT_EQ(0, ld_modes(self->s, STD_I, OPOST | ONOCR, STD_L));
	ASSERT_EQ(6, pty_write_str(self->s, "\rab\r\r."));
	EXPECT_BYTES(self->m, "ab\r.");
	ASSERT_EQ(0, ld_modes(self->s, STD_I, OPOST | ONOCR | ONLCR, STD_L));
	ASSERT_EQ(4, pty_write_str(self->s, "x\n\r."));
	EXPECT_BYTES(self->m, "x\r\n.");
	/* NL without ONLCR keeps the column, unless ONLRET. */
	ASSERT_EQ(0, ld_modes(self->s, STD_I, OPOST | ONOCR, STD_L));
	ASSERT_EQ(5, pty_write_str(self->s, "\rab\n\r"));
	EXPECT_BYTES(self->m, "\rab\n\r");
	ASSERT_EQ(0, ld_modes(self->s, STD_I, OPOST | ONOCR | ONLRET, STD_L));
	ASSERT_EQ(6, pty_write_str(self->s, "ab\n\r.\r"));
	EXPECT_BYTES(self->m, "ab\n.\r");
	/* The echo of a newline follows the same rules. */
	PUT(self->m, "z\n");
	EXPECT_BYTES(self->m, "z\n");
	EXPECT_READ(self->s, "z\n");
	EXPECT_QUIET(self->m);
}

/*
 * OFILL, OFDEL and the delay masks NLDLY CRDLY TABDLY (but TAB3) BSDLY
 * VTDLY FFDLY are ignored: no fill characters (n_tty.c:418-420).
 */
TEST_F(ldisc, fill_and_delays_are_inert)
{
	ASSERT_EQ(0, ld_modes(self->s, STD_I, STD_O | OFILL | OFDEL | NL1 | CR3 | TAB2 | BS1 |
			      VT1 | FF1, STD_L));
	ASSERT_EQ(12, pty_write_str(self->s, "a\nb\tc\bd\re\vf\f"));
	EXPECT_BYTES(self->m, "a\r\nb\tc\bd\re\vf\f");
}

/*
 * TAB3 (XTABS) expands tabs to the next multiple of 8 from a column that
 * carries over between writes and is reset by CR and by NL under ONLCR or
 * ONLRET, moved back by BS, and not moved by iscntrl() characters (but
 * 0x80-0x9f do move it) (n_tty.c:424-488, 550-585).
 */
TEST_F(ldisc, xtabs_column_tracking)
{
	ASSERT_EQ(0, pty_oflags(self->s, TAB3, 0));
	ASSERT_EQ(3, pty_write_str(self->s, "a\tb"));
	EXPECT_BYTES(self->m, "a       b");
	ASSERT_EQ(2, pty_write_str(self->s, "cd"));
	ASSERT_EQ(2, pty_write_str(self->s, "\t|"));
	EXPECT_BYTES(self->m, "cd     |");
	ASSERT_EQ(6, pty_write_str(self->s, "\nabc\r\t"));
	EXPECT_BYTES(self->m, "\r\nabc\r        ");
	ASSERT_EQ(6, pty_write_str(self->s, "\nabc\b\t"));
	EXPECT_BYTES(self->m, "\r\nabc\b      ");
	ASSERT_EQ(5, pty_write_str(self->s, "\n\b\b\t|"));
	EXPECT_BYTES(self->m, "\r\n\b\b        |");
	ASSERT_EQ(7, pty_write_str(self->s, "\n\x01\x80\x7f\x1b\t|"));
	EXPECT_BYTES(self->m, "\r\n\x01\x80\x7f\x1b       |");
	ASSERT_EQ(0, pty_oflags(self->s, 0, ONLCR));
	ASSERT_EQ(6, pty_write_str(self->s, "\rabc\n\t"));
	EXPECT_BYTES(self->m, "\rabc\n     ");
	ASSERT_EQ(0, pty_oflags(self->s, ONLRET, 0));
	ASSERT_EQ(6, pty_write_str(self->s, "\rabc\n\t"));
	EXPECT_BYTES(self->m, "\rabc\n        ");
	/* OCRNL keeps the column unless ONLRET. */
	ASSERT_EQ(0, pty_oflags(self->s, OCRNL, ONLRET));
	ASSERT_EQ(5, pty_write_str(self->s, "\rab\r\t"));
	EXPECT_BYTES(self->m, "\nab\n      ");
	ASSERT_EQ(0, pty_oflags(self->s, ONLRET, 0));
	ASSERT_EQ(5, pty_write_str(self->s, "\rab\r\t"));
	EXPECT_BYTES(self->m, "\nab\n        ");
}

/* With IUTF8 the output column skips UTF-8 continuation bytes (n_tty.c:475). */
TEST_F(ldisc, xtabs_utf8_columns)
{
	ASSERT_EQ(0, pty_oflags(self->s, TAB3, 0));
	ASSERT_EQ(4, pty_write_str(self->s, "\xc3\xa9\t|"));
	EXPECT_BYTES(self->m, "\xc3\xa9      |");
	ASSERT_EQ(0, pty_iflags(self->s, IUTF8, 0));
	ASSERT_EQ(8, pty_write_str(self->s, "\r\xe2\x82\xac\xc3\xa9\t|"));
	EXPECT_BYTES(self->m, "\r\xe2\x82\xac\xc3\xa9      |");
}

/*
 * Echoes move the output column like program output, "^X" by two, so a
 * program's tab after echoed input expands from there (n_tty.c:716).
 */
TEST_F(ldisc, echo_moves_the_output_column)
{
	ASSERT_EQ(0, pty_oflags(self->s, TAB3, 0));
	PUT(self->m, "ab\x01");
	EXPECT_BYTES(self->m, "ab^A");
	ASSERT_EQ(2, pty_write_str(self->s, "\t|"));
	EXPECT_BYTES(self->m, "    |");
	PUT(self->m, "\x7f");
	EXPECT_BYTES(self->m, "\b \b\b \b");
	ASSERT_EQ(2, pty_write_str(self->s, "\t|"));
	EXPECT_BYTES(self->m, " |");
	PUT(self->m, "\n");
	EXPECT_BYTES(self->m, "\r\n");
	EXPECT_READ(self->s, "ab\n");
}

/* ---- long streams against a model of OPOST ---- */

/* What OPOST | ONLCR | TAB3 makes of @in (n_tty.c:424-488); returns the length. */
static size_t model_output(const unsigned char *in, size_t len, unsigned char *out,
			   unsigned int *col)
{
	size_t o = 0, i;
	unsigned int sp;

	for (i = 0; i < len; i++) {
		switch (in[i]) {
		case '\n':
			out[o++] = '\r';
			out[o++] = '\n';
			*col = 0;
			break;
		case '\r':
			out[o++] = '\r';
			*col = 0;
			break;
		case '\t':
			for (sp = 8 - (*col & 7); sp; sp--, (*col)++)
				out[o++] = ' ';
			break;
		case '\b':
			out[o++] = '\b';
			if (*col)
				(*col)--;
			break;
		default:
			out[o++] = in[i];
			if (in[i] >= 0x20 && in[i] != 0x7f)
				(*col)++;
		}
	}
	return o;
}

#define LONG_LEN	30000

/* All of @want read, byte for byte; else the first difference is logged. */
static void expect_stream(struct __test_metadata *_metadata, const unsigned char *want,
			  size_t wlen, const unsigned char *got, size_t len)
{
	size_t i;

	EXPECT_EQ(wlen, len);
	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	if (i < len)
		ld_log_diff(_metadata, __LINE__, "from the first difference", want + i,
			    wlen - i < 40 ? wlen - i : 40, got + i, len - i < 40 ? len - i : 40);
	EXPECT_EQ(len, i);
}

/*
 * A long program output in writes of every size, through a master read
 * concurrently: the expansion and the column carried across writes and
 * across a full master match the model exactly (process_output_block's
 * break-outs, n_tty.c:533-607).
 */
TEST_F_TIMEOUT(ldisc, long_output_matches_the_model, 120)
{
	static const unsigned char abc[] = "abc \t\t\n\r\b\x01xyz";
	static unsigned char in[LONG_LEN], want[LONG_LEN * 8], got[LONG_LEN * 8];
	size_t wlen, len, i;
	unsigned int col = 0;
	pid_t pid;

	pty_fill_random(in, sizeof(in), 0x0b0e);
	for (i = 0; i < sizeof(in); i++)
		in[i] = abc[in[i] % (sizeof(abc) - 1)];
	wlen = model_output(in, sizeof(in), want, &col);
	ASSERT_EQ(0, pty_oflags(self->s, TAB3, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		size_t done = 0, w;

		for (i = 1; done < sizeof(in); i = i * 7 % 313) {
			w = i < sizeof(in) - done ? i : sizeof(in) - done;
			if (write(self->s, in + done, w) != (ssize_t)w)
				_exit(1);
			done += w;
		}
		_exit(0);
	}
	len = pty_read_full(self->m, got, wlen, PTY_WAIT_MS);
	EXPECT_EQ(0, pty_wait_child(pid));
	expect_stream(_metadata, want, wlen, got, len);
	EXPECT_QUIET(self->m);
}

/*
 * Raw input echoed under ECHOCTL and XTABS, a few bytes at a time while
 * the master reads: ^X pairs count two columns, tabs expand from the echo
 * column, CR mapped to NL echoes CR NL (n_tty.c:614-758).
 */
TEST_F_TIMEOUT(ldisc, long_echo_matches_the_model, 120)
{
	static const unsigned char abc[] = "ab \t\x01\x7f\rxy";
	static unsigned char in[3000], want[3000 * 8], got[3000 * 8];
	size_t wlen = 0, len = 0, sent = 0, i;
	unsigned int col = 0, sp;
	ssize_t n;

	pty_fill_random(in, sizeof(in), 0xec40);
	for (i = 0; i < sizeof(in); i++)
		in[i] = abc[in[i] % (sizeof(abc) - 1)];
	for (i = 0; i < sizeof(in); i++) {
		if (in[i] == '\r') {
			want[wlen++] = '\r';
			want[wlen++] = '\n';
			col = 0;
		} else if (in[i] == '\t') {
			for (sp = 8 - (col & 7); sp; sp--, col++)
				want[wlen++] = ' ';
		} else if (in[i] < 0x20 || in[i] == 0x7f) {
			want[wlen++] = '^';
			want[wlen++] = in[i] ^ 0x40;
			col += 2;
		} else {
			want[wlen++] = in[i];
			col++;
		}
	}
	want[wlen++] = 'Z';
	ASSERT_EQ(0, ld_modes(self->s, ICRNL, STD_O | TAB3, ECHO | ECHOCTL));
	while (sent < sizeof(in)) {
		n = sizeof(in) - sent < 7 ? sizeof(in) - sent : 7;
		ASSERT_EQ(n, write(self->m, in + sent, n));
		sent += n;
		n = pty_read_wait(self->m, got + len, sizeof(got) - len, PTY_WAIT_MS);
		if (n <= 0)
			break;
		len += n;
	}
	/*
	 * The last pieces may still be with the flip worker (a slow kernel
	 * shows it): take all the echo first, then a write of the program's
	 * must come after it.
	 */
	if (len < wlen - 1)
		len += pty_read_full(self->m, got + len, wlen - 1 - len, PTY_WAIT_MS);
	ASSERT_EQ(1, write(self->s, "Z", 1));
	if (len < wlen)
		len += pty_read_full(self->m, got + len, wlen - len, PTY_WAIT_MS);
	expect_stream(_metadata, want, wlen, got, len);
}

/*
 * Echoes that cannot be written wait in a 4096-byte ring; when it nears
 * full the oldest are dropped, so the newest 3807 bytes survive
 * (ECHO_DISCARD_WATERMARK, n_tty.c:79-81, 740-754); a program's write
 * brings them out first (n_tty.c:2363).
 */
TEST_F(ldisc, echo_ring_keeps_the_newest)
{
	static unsigned char in[4000], buf[1 << 16];
	size_t total = 0, got;
	ssize_t n;
	int fd, i;

	for (i = 0; i < 4000; i++)
		in[i] = 'a' + i % 26;
	ASSERT_EQ(0, ld_modes(self->s, 0, 0, ECHO));
	fd = pty_open_slave(self->dir, self->index, O_NONBLOCK);
	ASSERT_LE(0, fd);
	memset(buf, 'o', sizeof(buf));
	/*
	 * Fill until even one byte fails, and stays failing while the
	 * master's side settles (its flip worker may still make room).
	 */
	for (i = 0, n = 512; i < 5 && total < (16 << 20); ) {
		ssize_t w = write(fd, buf, n);

		if (w > 0) {
			total += w;
			i = 0;
		} else if (n == 512) {
			n = 1;
		} else {
			ASSERT_EQ(EAGAIN, errno);
			poll(NULL, 0, 50);
			i++;
		}
	}
	ASSERT_EQ(4000, write(self->m, in, sizeof(in)));
	for (i = 0; i < 200 && ld_inq(self->s) < 4000; i++)
		poll(NULL, 0, 50);
	ASSERT_EQ(4000, ld_inq(self->s));
	got = 0;
	while (got < total) {
		n = pty_read_wait(self->m, buf, total - got < sizeof(buf) ? total - got :
				  sizeof(buf), PTY_WAIT_MS);
		if (n <= 0)
			break;
		got += n;
	}
	ASSERT_EQ(total, got);
	ASSERT_EQ(1, write(fd, "Z", 1));
	memcpy(buf, in + 4000 - 3807, 3807);
	buf[3807] = 'Z';
	ld_expect(_metadata, self->m, buf, 3808, __LINE__);
	EXPECT_QUIET(self->m);
	close(fd);
}

/* ---- echo against program output ---- */

#define ILV_WRITES	1500
#define ILV_INPUTS	600

/*
 * An echo is written whole: a "^X" pair or a CR NL never has program
 * output inside it, however the program's writes and the input interleave
 * (n_tty.c:701-707, 429-436).
 */
TEST_F_TIMEOUT(ldisc, echoes_are_never_split, 120)
{
	static unsigned char out[16384];
	size_t len = 0, i, xs = 0, ctl = 0, nl = 0, bad = 0, sent = 0;
	unsigned char in[ILV_INPUTS];
	ssize_t n;
	pid_t pid;

	ASSERT_EQ(0, ld_modes(self->s, ICRNL, STD_O, ECHO | ECHOCTL));
	for (i = 0; i < ILV_INPUTS; i++)
		in[i] = i % 3 ? '\x01' : '\r';
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static const char xs8[] = "xxxxxxxx";
		unsigned int k, done = 0;

		for (k = 0; done < ILV_WRITES; k++) {
			size_t w = 1 + k % 8;

			if (w > ILV_WRITES - done)
				w = ILV_WRITES - done;
			if (write(self->s, xs8, w) != (ssize_t)w)
				_exit(1);
			done += w;
		}
		_exit(0);
	}
	ASSERT_EQ(0, pty_set_nonblock(self->m, 1));
	while (len < ILV_WRITES + 2 * ILV_INPUTS && len < sizeof(out)) {
		if (sent < ILV_INPUTS) {
			n = ILV_INPUTS - sent < 7 ? ILV_INPUTS - sent : 7;
			n = write(self->m, in + sent, n);
			if (n > 0)
				sent += n;
		}
		n = pty_read_wait(self->m, out + len, sizeof(out) - len, PTY_WAIT_MS);
		if (n <= 0)
			break;
		len += n;
	}
	EXPECT_EQ(0, pty_wait_child(pid));
	/* Anything still held back comes with one more echo. */
	ASSERT_EQ(1, write(self->m, "\x02", 1));
	ASSERT_EQ(0, pty_set_nonblock(self->m, 0));
	while (len < 2 || memcmp(out + len - 2, "^B", 2)) {
		n = pty_read_wait(self->m, out + len, sizeof(out) - len, PTY_WAIT_MS);
		if (n <= 0)
			break;
		len += n;
	}
	ASSERT_LE(2u, len);
	len -= 2;
	for (i = 0; i < len; i++) {
		if (out[i] == 'x') {
			xs++;
		} else if (out[i] == '^' && i + 1 < len && out[i + 1] == 'A') {
			ctl++;
			i++;
		} else if (out[i] == '\r' && i + 1 < len && out[i + 1] == '\n') {
			nl++;
			i++;
		} else {
			bad++;
			if (bad < 4)
				TH_LOG("byte %zu: 0x%02x splits an echo", i, out[i]);
		}
	}
	EXPECT_EQ(0u, bad);
	EXPECT_EQ((size_t)ILV_WRITES, xs);
	EXPECT_EQ((size_t)ILV_INPUTS * 2 / 3, ctl);
	EXPECT_EQ((size_t)ILV_INPUTS / 3, nl);
}

TEST_HARNESS_MAIN
