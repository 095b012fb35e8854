// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc_test - directed tests of the line discipline, input side: the
 * input flags, the control characters, canonical mode (line limit, EOF,
 * one line per read, FIONREAD, switching ICANON) and non-canonical mode
 * (VMIN and VTIME, O_NONBLOCK, poll). Every case runs on N_TTY, on our
 * discipline on a devpts slave and on a mypts slave (ldisc_fixture.h), and
 * asserts the exact bytes Linux's N_TTY gives.
 */
#include "ldisc_fixture.h"

#define STD_I	(ICRNL | IXON)
#define STD_O	(OPOST | ONLCR)
#define STD_L	(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN)

/* ---- input flags ---- */

/*
 * IGNBRK, BRKINT, IGNPAR and INPCK only act on characters the driver flags
 * as a break or a parity error (n_tty.c:1147-1213); a pty never flags one,
 * so every byte, NUL and 0xff included, passes unchanged in both modes.
 */
TEST_F(ldisc, input_break_and_parity_flags_are_inert)
{
	ASSERT_EQ(0, ld_modes(self->s, IGNBRK | BRKINT | IGNPAR | INPCK | STD_I, STD_O,
			      STD_L & ~ECHO));
	PUT(self->m, "\0x\xfe\xff\n");
	EXPECT_READ(self->s, "\0x\xfe\xff\n");

	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	ASSERT_EQ(0, pty_iflags(self->s, BRKINT | INPCK, 0));
	PUT(self->m, "\0\xff\x80\x03");
	EXPECT_BYTES(self->s, "\0\xff\x80\x03");
	ASSERT_EQ(0, pty_iflags(self->s, IGNBRK | IGNPAR, BRKINT));
	PUT(self->m, "\xff\0");
	EXPECT_BYTES(self->s, "\xff\0");
	EXPECT_QUIET(self->m);
}

/*
 * PARMRK marks errors a pty never has, but still doubles a literal 0xff so
 * that a reader can tell it from a mark (n_tty.c:1395, 1422), in canonical
 * and raw mode; ISTRIP comes first, so a stripped 0xff is a plain 0x7f.
 */
TEST_F(ldisc, parmrk_doubles_a_literal_ff)
{
	ASSERT_EQ(0, ld_modes(self->s, PARMRK | STD_I, STD_O, STD_L & ~ECHO));
	PUT(self->m, "a\xff\n");
	EXPECT_READ(self->s, "a\xff\xff\n");

	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	ASSERT_EQ(0, pty_iflags(self->s, PARMRK, 0));
	PUT(self->m, "\xff\0\xfe");
	EXPECT_BYTES(self->s, "\xff\xff\0\xfe");
	ASSERT_EQ(0, pty_iflags(self->s, ISTRIP, 0));
	PUT(self->m, "\xff.");
	EXPECT_BYTES(self->s, "\x7f.");
	EXPECT_QUIET(self->s);
}

/* An EOL character of 0xff is doubled too, before the line ends (n_tty.c:1358). */
TEST_F(ldisc, parmrk_doubles_an_ff_eol)
{
	struct termios t;

	ld_std_termios(&t);
	t.c_iflag |= PARMRK;
	t.c_lflag &= ~ECHO;
	t.c_cc[VEOL] = 0xff;
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	PUT(self->m, "a\xff");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_EQ(3, ld_inq(self->s));
	EXPECT_READ(self->s, "a\xff\xff");
}

/*
 * ISTRIP clears bit 7 before anything else looks at the byte
 * (n_tty.c:1577): the echo shows the stripped byte, and 0x83 is ^C.
 */
TEST_F(ldisc, istrip_clears_bit_seven_first)
{
	ASSERT_EQ(0, ld_modes(self->s, ISTRIP | STD_I, STD_O, STD_L));
	PUT(self->m, "\xc1\xe2\n");
	EXPECT_BYTES(self->m, "Ab\r\n");
	EXPECT_READ(self->s, "Ab\n");

	PUT(self->m, "ab");
	EXPECT_BYTES(self->m, "ab");
	PUT(self->m, "\x83");
	EXPECT_BYTES(self->m, "^C");
	PUT(self->m, "cd\n");
	EXPECT_BYTES(self->m, "cd\r\n");
	EXPECT_READ(self->s, "cd\n");
}

/*
 * INLCR maps NL to CR, IGNCR drops CR (before ICRNL), ICRNL maps CR to NL;
 * each byte is mapped once, so the two maps swap (n_tty.c:1293-1300).
 */
TEST_F(ldisc, inlcr_igncr_icrnl_map_once)
{
	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	ASSERT_EQ(0, pty_iflags(self->s, INLCR, 0));
	PUT(self->m, "a\nb\r");
	EXPECT_BYTES(self->s, "a\rb\r");
	ASSERT_EQ(0, pty_iflags(self->s, ICRNL, 0));
	PUT(self->m, "1\n2\r");
	EXPECT_BYTES(self->s, "1\r2\n");
	ASSERT_EQ(0, pty_iflags(self->s, IGNCR, INLCR));
	PUT(self->m, "x\ry\n");
	EXPECT_BYTES(self->s, "xy\n");
	ASSERT_EQ(0, pty_iflags(self->s, 0, IGNCR));
	PUT(self->m, "x\ry");
	EXPECT_BYTES(self->s, "x\ny");

	/* Canonical: a CR turned NL ends the line, a NL turned CR does not. */
	ASSERT_EQ(0, ld_modes(self->s, INLCR | STD_I, STD_O, STD_L));
	PUT(self->m, "a\nb\r");
	EXPECT_BYTES(self->m, "a^Mb\r\n");
	EXPECT_READ(self->s, "a\rb\n");
	ASSERT_EQ(0, ld_modes(self->s, IGNCR | STD_I, STD_O, STD_L & ~ECHO));
	PUT(self->m, "c\rd\n");
	EXPECT_READ(self->s, "cd\n");
}

/*
 * IUCLC lowers case only with IEXTEN (n_tty.c:1579), with the kernel's
 * Latin-1 tolower(): 0xc0-0xde map to 0xe0-0xfe, except 0xd7.
 */
TEST_F(ldisc, iuclc_needs_iexten)
{
	ASSERT_EQ(0, ld_modes(self->s, IUCLC | STD_I, STD_O, STD_L));
	PUT(self->m, "AbC\n");
	EXPECT_BYTES(self->m, "abc\r\n");
	EXPECT_READ(self->s, "abc\n");
	PUT(self->m, "\xc0\xd7\xde\xdf\n");
	EXPECT_BYTES(self->m, "\xe0\xd7\xfe\xdf\r\n");
	EXPECT_READ(self->s, "\xe0\xd7\xfe\xdf\n");

	ASSERT_EQ(0, pty_lflags(self->s, 0, IEXTEN));
	PUT(self->m, "AbC\n");
	EXPECT_BYTES(self->m, "AbC\r\n");
	EXPECT_READ(self->s, "AbC\n");
}

/*
 * N_TTY ignores IXOFF on a pty: a slave nobody reads sends no STOP
 * character to the master however full it gets (REFERENCE 3, IXOFF); the
 * bytes all arrive once the slave reads.
 */
TEST_F(ldisc, ixoff_sends_nothing)
{
	static unsigned char buf[1 << 16];
	size_t total = 0, got = 0, bad = 0, i;
	ssize_t n;

	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	ASSERT_EQ(0, pty_iflags(self->s, IXOFF | IXON, 0));
	ASSERT_EQ(0, pty_set_nonblock(self->m, 1));
	memset(buf, 'f', sizeof(buf));
	while (total < (16 << 20)) {
		n = write(self->m, buf, 512);
		if (n <= 0)
			break;
		total += n;
	}
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LT(4000u, total);
	EXPECT_QUIET(self->m);
	while (got < total) {
		n = pty_read_wait(self->s, buf, sizeof(buf), PTY_WAIT_MS);
		if (n <= 0)
			break;
		for (i = 0; i < (size_t)n; i++)
			bad += buf[i] != 'f';
		got += n;
	}
	EXPECT_EQ(total, got);
	EXPECT_EQ(0u, bad);
	EXPECT_QUIET(self->m);
}

/*
 * N_TTY ignores XCASE, FLUSHO and PENDIN (REFERENCE 3): upper case
 * input is not escaped, output is not discarded, nothing is retyped, and
 * VDISCARD is an ordinary character that leaves FLUSHO as set.
 */
TEST_F(ldisc, xcase_flusho_pendin_are_inert)
{
	struct termios t;

	ASSERT_EQ(0, ld_modes(self->s, IUCLC | STD_I, STD_O | OLCUC,
			      STD_L | XCASE | FLUSHO | PENDIN));
	PUT(self->m, "\\A\n");
	EXPECT_BYTES(self->m, "\\A\r\n");
	EXPECT_READ(self->s, "\\a\n");
	ASSERT_EQ(3, pty_write_str(self->s, "xy\n"));
	EXPECT_BYTES(self->m, "XY\r\n");
	PUT(self->m, "a\x0f\n");
	EXPECT_BYTES(self->m, "A^O\r\n");
	EXPECT_READ(self->s, "a\x0f\n");
	ASSERT_EQ(0, tcgetattr(self->s, &t));
	EXPECT_EQ((tcflag_t)(XCASE | FLUSHO | PENDIN), t.c_lflag & (XCASE | FLUSHO | PENDIN));
}

/*
 * Without IEXTEN, WERASE, LNEXT, REPRINT and EOL2 are ordinary characters
 * (n_tty.c:1811-1830).
 */
TEST_F(ldisc, iexten_off_disables_the_extensions)
{
	struct termios t;

	ld_std_termios(&t);
	t.c_lflag &= ~IEXTEN;
	t.c_cc[VEOL2] = '|';
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	PUT(self->m, "ab\027c\x16\x12|\n");
	EXPECT_BYTES(self->m, "ab^Wc^V^R|\r\n");
	EXPECT_READ(self->s, "ab\027c\x16\x12|\n");
}

/*
 * EXTPROC: input is stored as it comes (only ISTRIP and IUCLC apply), so
 * no echo, editing, mapping, signals or flow control (n_tty.c:1581-1584,
 * 1602); reads are raw even with ICANON, and a lone EOF byte reads as end
 * of file (n_tty.c:1966-1969).
 */
TEST_F(ldisc, extproc_stores_input_uninterpreted)
{
	ASSERT_EQ(0, ld_modes(self->s, STD_I, STD_O, STD_L | EXTPROC));
	PUT(self->m, "ab\x7f\x03\x13\r\n");
	EXPECT_READ(self->s, "ab\x7f\x03\x13\r\n");
	/* The ^S stopped nothing. */
	ASSERT_EQ(1, pty_write_str(self->s, "o"));
	EXPECT_BYTES(self->m, "o");
	PUT(self->m, "\x04");
	EXPECT_EOF(self->s);
	PUT(self->m, "x\x04");
	EXPECT_READ(self->s, "x\x04");
	ASSERT_EQ(0, pty_iflags(self->s, ISTRIP, 0));
	PUT(self->m, "\xc1\x83");
	EXPECT_READ(self->s, "A\x03");
	ASSERT_EQ(0, pty_iflags(self->s, IUCLC, ISTRIP));
	PUT(self->m, "AbC\r");
	EXPECT_READ(self->s, "abc\r");
	EXPECT_QUIET(self->m);
}

/*
 * More of EXTPROC with ICANON: FIONREAD and poll count every stored byte,
 * a lone EOF is the redefined VEOF, two EOF bytes are data, and without
 * ICANON a lone EOF byte is data too (n_tty.c:1922, 1966-1969, 2503).
 */
TEST_F(ldisc, extproc_counts_and_eof)
{
	struct termios t;

	ASSERT_EQ(0, ld_modes(self->s, STD_I, STD_O, STD_L | EXTPROC));
	PUT(self->m, "abc");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_EQ(3, ld_inq(self->s));
	EXPECT_READ(self->s, "abc");
	PUT(self->m, "\x04\x04");
	EXPECT_READ(self->s, "\x04\x04");
	ld_std_termios(&t);
	t.c_lflag |= EXTPROC;
	t.c_cc[VEOF] = 'q';
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	PUT(self->m, "q");
	EXPECT_EOF(self->s);
	PUT(self->m, "\x04");
	EXPECT_READ(self->s, "\x04");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ICANON));
	PUT(self->m, "q");
	EXPECT_READ(self->s, "q");
	EXPECT_QUIET(self->m);
}

/*
 * Switching EXTPROC on or off with input pending makes it readable at
 * once (n_tty.c:1785-1796 treat EXTPROC like ICANON): a partial line
 * typed before, or bytes stored uninterpreted, as one line.
 */
TEST_F(ldisc, extproc_toggle_pushes_pending_input)
{
	PUT(self->m, "ab");
	EXPECT_BYTES(self->m, "ab");
	ASSERT_EQ(0, pty_lflags(self->s, EXTPROC, 0));
	EXPECT_EQ(2, ld_inq(self->s));
	EXPECT_READ(self->s, "ab");
	PUT(self->m, "x\x7f");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(0, pty_lflags(self->s, 0, EXTPROC));
	EXPECT_EQ(2, ld_inq(self->s));
	EXPECT_READ(self->s, "x\x7f");
	PUT(self->m, "yz\x7f\n");
	EXPECT_BYTES(self->m, "yz\b \b\r\n");
	EXPECT_READ(self->s, "y\n");
}

/* ---- control characters ---- */

/*
 * Redefined VERASE, VKILL, VEOF and VINTR take the place of the defaults
 * (n_tty.c:1276-1343); a printable VINTR echoes as itself.
 */
TEST_F(ldisc, redefined_editing_characters)
{
	struct termios t;

	ld_std_termios(&t);
	t.c_cc[VERASE] = '#';
	t.c_cc[VKILL] = '@';
	t.c_cc[VEOF] = '!';
	t.c_cc[VINTR] = 'x';
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	PUT(self->m, "ab#c\n");
	EXPECT_BYTES(self->m, "ab\b \bc\r\n");
	EXPECT_READ(self->s, "ac\n");
	PUT(self->m, "yz@q\n");
	EXPECT_BYTES(self->m, "yz\b \b\b \bq\r\n");
	EXPECT_READ(self->s, "q\n");
	PUT(self->m, "k!");
	EXPECT_READ(self->s, "k");
	EXPECT_BYTES(self->m, "k");
	PUT(self->m, "!");
	EXPECT_EOF(self->s);
	/* Old defaults are now plain. */
	PUT(self->m, "\x7f\x15\x04\x03\n");
	EXPECT_BYTES(self->m, "^?^U^D^C\r\n");
	EXPECT_READ(self->s, "\x7f\x15\x04\x03\n");
	PUT(self->m, "ab");
	EXPECT_BYTES(self->m, "ab");
	PUT(self->m, "x");
	EXPECT_BYTES(self->m, "x");
	PUT(self->m, "d\n");
	EXPECT_BYTES(self->m, "d\r\n");
	EXPECT_READ(self->s, "d\n");
}

/*
 * VEOL and (with IEXTEN) VEOL2 end a line and stay in it; both are echoed
 * (n_tty.c:1344-1363).
 */
TEST_F(ldisc, eol_and_eol2_end_a_line)
{
	struct termios t;

	ld_std_termios(&t);
	t.c_cc[VEOL] = ';';
	t.c_cc[VEOL2] = '|';
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	PUT(self->m, "a;b|c\n");
	EXPECT_BYTES(self->m, "a;b|c\r\n");
	EXPECT_READ(self->s, "a;");
	EXPECT_READ(self->s, "b|");
	EXPECT_READ(self->s, "c\n");
	/* Erase cannot reach back into a line already ended. */
	PUT(self->m, "ab;\x7f\x15\027c\n");
	EXPECT_BYTES(self->m, "ab;c\r\n");
	EXPECT_READ(self->s, "ab;");
	EXPECT_READ(self->s, "c\n");
	/* A control character as EOL is echoed as ^X. */
	t.c_cc[VEOL] = 0x01;
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	PUT(self->m, "d\x01");
	EXPECT_BYTES(self->m, "d^A");
	EXPECT_READ(self->s, "d\x01");
}

/*
 * _POSIX_VDISABLE (0) disables a control character; a NUL byte is then
 * never special (n_tty.c:1837), and the old characters are plain input.
 */
TEST_F(ldisc, posix_vdisable_disables)
{
	static const int cc[] = { VINTR, VQUIT, VSUSP, VERASE, VKILL, VEOF, VSTART,
				  VSTOP, VWERASE, VLNEXT, VREPRINT };
	struct termios t;
	unsigned int i;

	ld_std_termios(&t);
	for (i = 0; i < ARRAY_SIZE(cc); i++)
		t.c_cc[cc[i]] = _POSIX_VDISABLE;
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	PUT(self->m, "a\x03\x1c\x1a\x7f\x15\x04\x11\x13\x17\x16\x12\0\n");
	EXPECT_BYTES(self->m, "a^C^\\^Z^?^U^D^Q^S^W^V^R^@\r\n");
	EXPECT_READ(self->s, "a\x03\x1c\x1a\x7f\x15\x04\x11\x13\x17\x16\x12\0\n");
}

/*
 * When one byte holds two roles, flow control wins over signals, which win
 * over editing (n_tty.c:1273-1290); ERASE wins over KILL (n_tty.c:968).
 */
TEST_F(ldisc, colliding_control_characters)
{
	struct termios t;

	ld_std_termios(&t);
	t.c_lflag &= ~ECHO;
	t.c_cc[VERASE] = '#';
	t.c_cc[VKILL] = '#';
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	PUT(self->m, "abc#\n");
	EXPECT_READ(self->s, "ab\n");

	ld_std_termios(&t);
	t.c_lflag &= ~ECHO;
	t.c_cc[VINTR] = 023;
	t.c_cc[VERASE] = 021;
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	ASSERT_EQ(0, ld_packet(self->m, 1));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	PUT(self->m, "ab\x13");
	EXPECT_EQ(TIOCPKT_STOP, ld_status(self->m));
	EXPECT_EQ(-1, write(self->s, "w", 1));
	EXPECT_EQ(EAGAIN, errno);
	PUT(self->m, "\021c\n");
	EXPECT_EQ(TIOCPKT_START, ld_status(self->m));
	EXPECT_READ(self->s, "abc\n");
	EXPECT_EQ(1, write(self->s, "w", 1));
	EXPECT_READ(self->m, "\0w");

	/* VSTART equal to VSTOP only ever starts (n_tty.c:1258-1262). */
	ld_std_termios(&t);
	t.c_lflag &= ~ECHO;
	t.c_cc[VSTART] = 023;
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	/* No longer the usual ^S/^Q: a packet-mode master hears NOSTOP. */
	EXPECT_EQ(TIOCPKT_NOSTOP, ld_status(self->m));
	PUT(self->m, "\x13x\x13\n");
	EXPECT_READ(self->s, "x\n");
	EXPECT_EQ(1, write(self->s, "v", 1));
	EXPECT_READ(self->m, "\0v");
	EXPECT_QUIET(self->m);
}

/* ---- canonical mode ---- */

/* One canonical read returns at most one line, and partial reads split it. */
TEST_F(ldisc, canonical_read_returns_one_line)
{
	char buf[8];

	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	PUT(self->m, "a\nbc\nhello\n");
	EXPECT_READ(self->s, "a\n");
	EXPECT_READ(self->s, "bc\n");
	ASSERT_EQ(2, read(self->s, buf, 2));
	EXPECT_EQ(0, memcmp(buf, "he", 2));
	ASSERT_EQ(2, read(self->s, buf, 2));
	EXPECT_EQ(0, memcmp(buf, "ll", 2));
	EXPECT_READ(self->s, "o\n");
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * VEOF at the start of a line reads as end of file; mid-line it ends the
 * line without itself and is not echoed (n_tty.c:1341, 2040-2046).
 */
TEST_F(ldisc, eof_at_line_start_and_mid_line)
{
	char buf[64];

	PUT(self->m, "\x04");
	EXPECT_EOF(self->s);
	PUT(self->m, "x\x04");
	EXPECT_READ(self->s, "x");
	EXPECT_BYTES(self->m, "x");
	PUT(self->m, "ab\n\x04");
	EXPECT_READ(self->s, "ab\n");
	EXPECT_EOF(self->s);
	EXPECT_BYTES(self->m, "ab\r\n");
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_QUIET(self->m);
}

/*
 * A read that stops exactly before a mid-line EOF eats the EOF, so no
 * empty read follows (canon_skip_eof, n_tty.c:2070-2093); one that stops
 * earlier leaves it to end the rest of the line.
 */
TEST_F(ldisc, partial_read_before_eof)
{
	char buf[64];

	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	PUT(self->m, "abc\x04");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(3, read(self->s, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);

	PUT(self->m, "def\x04");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(2, read(self->s, buf, 2));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
	EXPECT_EQ(1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ('f', buf[0]);
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * FIONREAD counts complete lines only in canonical mode, without EOF
 * bytes (inq_canon, n_tty.c:2473-2489), and everything in raw mode, where
 * a pending EOF shows as the NUL it is stored as (n_tty.c:1342).
 */
TEST_F(ldisc, fionread_in_both_modes)
{
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	EXPECT_EQ(0, ld_inq(self->s));
	PUT(self->m, "ab\ncd");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_EQ(3, ld_inq(self->s));
	EXPECT_READ(self->s, "ab\n");
	EXPECT_EQ(0, ld_inq(self->s));
	PUT(self->m, "ef\x04");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_EQ(4, ld_inq(self->s));
	/* Raw: the five stored bytes, the EOF as a NUL. */
	ASSERT_EQ(0, pty_lflags(self->s, 0, ICANON));
	EXPECT_EQ(5, ld_inq(self->s));
	EXPECT_BYTES(self->s, "cdef\0");
	EXPECT_EQ(0, ld_inq(self->s));
}

/*
 * Canonical lines hold 4095 characters and a terminator. At the limit
 * the latest extra character replaces the one before it and is then
 * dropped, erase still erases, and a newline is still taken
 * (n_tty.c:1700-1714).
 */
TEST_F(ldisc, canonical_line_limit)
{
	static char in[4200], want[4096];
	char buf[64];

	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	memset(in, 'a', 4095);
	memcpy(in + 4095, "bc\x7fz\n", 5);
	ASSERT_EQ(4100, write(self->m, in, 4100));
	memset(want, 'a', 4094);
	memcpy(want + 4094, "z\n", 2);
	ld_expect_read(_metadata, self->s, want, 4096, __LINE__);

	/* Signals still work at the limit: ^C flushes the full line. */
	ASSERT_EQ(4095, write(self->m, in, 4095));
	PUT(self->m, "\x03q\n");
	EXPECT_READ(self->s, "q\n");
	/* So does kill. */
	ASSERT_EQ(4095, write(self->m, in, 4095));
	PUT(self->m, "xy\x15r\n");
	EXPECT_READ(self->s, "r\n");
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * With PARMRK the room is counted in thirds (n_tty.c:1703-1704), and an
 * 0xff doubled at the limit loses its second half to the newline that
 * replaces it, so the reader gets it single (n_tty.c:1706-1708).
 */
TEST_F(ldisc, parmrk_at_the_line_limit)
{
	static char in[4096], want[4096];

	ASSERT_EQ(0, ld_modes(self->s, PARMRK | STD_I, STD_O, STD_L & ~ECHO));
	memset(in, 'a', 4094);
	memcpy(in + 4094, "\xff\n", 2);
	ASSERT_EQ(4096, write(self->m, in, 4096));
	memcpy(want, in, 4096);
	ld_expect_read(_metadata, self->s, want, 4096, __LINE__);
	memcpy(in + 4090, "\xff\n", 2);
	ASSERT_EQ(4092, write(self->m, in, 4092));
	memcpy(want, in, 4091);
	memcpy(want + 4091, "\xff\n", 2);
	ld_expect_read(_metadata, self->s, want, 4093, __LINE__);
}

/*
 * At the line limit every character is still echoed although only the
 * newline is stored, and IMAXBEL rings no bell: Linux has none (n_tty.c:965).
 */
TEST_F(ldisc, canonical_line_limit_echo)
{
	static char in[4095], want[4096];

	ASSERT_EQ(0, pty_iflags(self->s, IMAXBEL, 0));
	memset(in, 'a', sizeof(in));
	ASSERT_EQ(4095, write(self->m, in, sizeof(in)));
	ld_expect(_metadata, self->m, in, sizeof(in), __LINE__);
	PUT(self->m, "bc\x7fz\n");
	EXPECT_BYTES(self->m, "bc\b \bz\r\n");
	memset(want, 'a', 4094);
	memcpy(want + 4094, "z\n", 2);
	ld_expect_read(_metadata, self->s, want, 4096, __LINE__);
	EXPECT_QUIET(self->m);
}

/*
 * Turning ICANON on with pending raw input makes it readable at once as
 * one line without a terminator (n_tty.c:1785-1796).
 */
TEST_F(ldisc, icanon_on_pushes_pending_input)
{
	ASSERT_EQ(0, ld_raw(self->s, 3, 0));
	PUT(self->m, "abc");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(0, pty_lflags(self->s, ICANON, 0));
	EXPECT_EQ(3, ld_inq(self->s));
	EXPECT_READ(self->s, "abc");
	PUT(self->m, "d\177e\n");
	EXPECT_READ(self->s, "e\n");
}

/*
 * Turning ICANON off makes every stored byte readable, a complete line and
 * a partial one alike (n_tty.c:1785-1800).
 */
TEST_F(ldisc, icanon_off_releases_partial_line)
{
	PUT(self->m, "x\nab");
	EXPECT_BYTES(self->m, "x\r\nab");
	ASSERT_EQ(0, pty_lflags(self->s, 0, ICANON | ECHO));
	EXPECT_EQ(4, ld_inq(self->s));
	EXPECT_BYTES(self->s, "x\nab");
	/* Erase is now an ordinary byte. */
	PUT(self->m, "\x7f");
	EXPECT_BYTES(self->s, "\x7f");
}

/*
 * Lines longer than the 64-byte chunks the tty core reads in, ending in
 * NL or EOF, run around the 4096-byte ring; partial reads stop at the
 * line's end and FIONREAD counts the line without its EOF
 * (n_tty.c:2001-2066, 2473-2489).
 */
TEST_F(ldisc, canonical_lines_around_the_ring)
{
	static char line[1501], got[1024];
	ssize_t n, want;
	int k;

	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	for (k = 0; k < 6; k++) {
		memset(line, 'a' + k, 1500);
		line[1500] = k % 2 ? '\004' : '\n';
		ASSERT_EQ(1501, write(self->m, line, 1501));
		ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
		want = k % 2 ? 1500 : 1501;
		EXPECT_EQ(want, ld_inq(self->s));
		EXPECT_EQ(700, read(self->s, got, 700));
		EXPECT_EQ(0, memcmp(got, line, 700));
		EXPECT_EQ(700, read(self->s, got, 700));
		EXPECT_EQ(0, memcmp(got, line, 700));
		n = read(self->s, got, sizeof(got));
		EXPECT_EQ(want - 1400, n);
		EXPECT_EQ(0, memcmp(got, line + 1400, want - 1400));
		EXPECT_EQ(0, ld_inq(self->s));
	}
}

/*
 * PARMRK doubles 0xff, so it divides the room by three (n_tty.c:1703-1704):
 * a raw slave nobody reads still loses none of them.
 */
TEST_F(ldisc, parmrk_full_buffer_loses_nothing)
{
	static unsigned char in[3000], out[6001];
	size_t got, i;

	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	ASSERT_EQ(0, pty_iflags(self->s, PARMRK, 0));
	memset(in, 0xff, sizeof(in));
	ASSERT_EQ(3000, write(self->m, in, sizeof(in)));
	got = pty_read_full(self->s, out, 6000, PTY_WAIT_MS);
	EXPECT_EQ(6000u, got);
	for (i = 0; i < got && out[i] == 0xff; i++)
		;
	EXPECT_EQ(got, i);
	EXPECT_QUIET(self->s);
}

/* TIOCSTI feeds the discipline like the master does: echo and all. */
TEST_F(ldisc, tiocsti_is_input)
{
	ASSERT_EQ(0, ioctl(self->s, TIOCSTI, "x"));
	ASSERT_EQ(0, ioctl(self->s, TIOCSTI, "\x01"));
	ASSERT_EQ(0, ioctl(self->s, TIOCSTI, "\r"));
	EXPECT_BYTES(self->m, "x^A\r\n");
	EXPECT_READ(self->s, "x\x01\n");
}

/*
 * TCSAFLUSH discards the pending input before the change, with FLUSHREAD
 * to a packet-mode master (tty_ioctl.c:  set_termios with TERMIOS_FLUSH).
 */
TEST_F(ldisc, tcsaflush_discards_input)
{
	struct termios t;
	char buf[16];

	ASSERT_EQ(0, ld_packet(self->m, 1));
	PUT(self->m, "abc\nde");
	EXPECT_PACKETS(self->m, "abc\r\nde", 0);
	ASSERT_EQ(0, tcgetattr(self->s, &t));
	t.c_lflag &= ~ECHO;
	ASSERT_EQ(0, tcsetattr(self->s, TCSAFLUSH, &t));
	EXPECT_EQ(TIOCPKT_FLUSHREAD, ld_status(self->m));
	EXPECT_EQ(0, ld_inq(self->s));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	PUT(self->m, "f\n");
	EXPECT_READ(self->s, "f\n");
}

/*
 * Before its first input a tty has no queues yet (our discipline
 * allocates them then): everything that looks at them answers as for
 * empty ones, and the first input after an idle time, or after the
 * discipline was replaced and put back, is taken as always.
 */
TEST_F(ldisc, idle_tty_then_first_input)
{
	int ntty = N_TTY, back = self->disc;
	struct termios t;
	char buf[16];

	EXPECT_EQ(0, ld_inq(self->s));
	EXPECT_EQ(0, pty_poll(self->s, POLLIN, 0));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, pty_set_nonblock(self->s, 0));
	EXPECT_EQ(0, tcflush(self->s, TCIFLUSH));
	/* Canonical mode off and on again re-frames an empty queue. */
	ASSERT_EQ(0, pty_lflags(self->s, 0, ICANON));
	EXPECT_EQ(0, ld_inq(self->s));
	ASSERT_EQ(0, pty_lflags(self->s, ICANON, 0));
	ASSERT_EQ(0, tcgetattr(self->s, &t));
	ASSERT_EQ(0, tcsetattr(self->s, TCSAFLUSH, &t));
	EXPECT_QUIET(self->s);
	EXPECT_QUIET(self->m);

	PUT(self->m, "abc\n");
	EXPECT_BYTES(self->m, "abc\r\n");
	EXPECT_READ(self->s, "abc\n");

	/* Away to N_TTY and back: a fresh discipline, fresh queues. */
	ASSERT_EQ(0, ioctl(self->s, TIOCSETD, &ntty));
	ASSERT_EQ(0, ioctl(self->s, TIOCSETD, &back));
	EXPECT_EQ(back, ld_get(self->s));
	EXPECT_EQ(0, ld_inq(self->s));
	PUT(self->m, "de\x7f\n");
	EXPECT_BYTES(self->m, "de\b \b\r\n");
	EXPECT_READ(self->s, "d\n");
	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	PUT(self->m, "xyz");
	EXPECT_BYTES(self->s, "xyz");
}

#define BIG_WRITE	(4 << 20)

/*
 * A non-blocking write that fills the way returns how many of its bytes
 * went out (each NL then CR NL under ONLCR), the next one EAGAIN
 * (n_tty.c:2403-2410, 2424).
 */
TEST_F_TIMEOUT(ldisc, nonblocking_write_is_partial, 60)
{
	static char in[BIG_WRITE], out[2 * BIG_WRITE];
	size_t got = 0, i, bad = 0;
	ssize_t n, w;

	memset(in, '\n', sizeof(in));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	w = write(self->s, in, sizeof(in));
	ASSERT_LT(0, w);
	ASSERT_GT((ssize_t)sizeof(in), w);
	EXPECT_EQ(-1, write(self->s, in, 1));
	EXPECT_EQ(EAGAIN, errno);
	while (got < 2 * (size_t)w) {
		n = pty_read_wait(self->m, out + got, 2 * w - got, PTY_WAIT_MS);
		if (n <= 0)
			break;
		got += n;
	}
	EXPECT_EQ(2 * (size_t)w, got);
	for (i = 0; i < got; i++)
		bad += out[i] != (i % 2 ? '\n' : '\r');
	EXPECT_EQ(0u, bad);
	EXPECT_QUIET(self->m);
}

/* TIOCOUTQ is the driver's count, 0 for a pty (n_tty.c:2497-2498). */
TEST_F(ldisc, tiocoutq_is_zero)
{
	int n = -1;

	ASSERT_EQ(3, pty_write_str(self->s, "abc"));
	ASSERT_EQ(POLLIN, pty_poll(self->m, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(0, ioctl(self->s, TIOCOUTQ, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, tcdrain(self->s));
	EXPECT_BYTES(self->m, "abc");
}

/* ---- non-canonical mode: VMIN and VTIME ---- */

/*
 * MIN 0, TIME 0: a read returns what is there, or 0 at once, even with
 * O_NONBLOCK (n_tty.c:2209, 2250).
 */
TEST_F(ldisc, vmin0_vtime0_polls)
{
	char buf[16];

	ASSERT_EQ(0, ld_raw(self->s, 0, 0));
	EXPECT_EQ(0, read(self->s, buf, sizeof(buf)));
	PUT(self->m, "ab");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_READ(self->s, "ab");
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(0, read(self->s, buf, sizeof(buf)));
}

/*
 * MIN 0, TIME > 0: data there is returned at once; without data the read
 * returns 0 when the timer runs out; with O_NONBLOCK it is EAGAIN
 * (n_tty.c:2208-2211).
 */
TEST_F(ldisc, vmin0_vtime_times_out_with_zero)
{
	char buf[16];

	ASSERT_EQ(0, ld_raw(self->s, 0, 1));
	EXPECT_EQ(0, read(self->s, buf, sizeof(buf)));
	PUT(self->m, "xyz");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_READ(self->s, "xyz");
	EXPECT_EQ(0, read(self->s, buf, sizeof(buf)));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * MIN > 0, TIME 0: a read blocks until MIN bytes are there and then
 * returns all there is, up to its size; with O_NONBLOCK it returns the
 * fewer bytes there are (n_tty.c:2286-2301).
 */
TEST_F(ldisc, vmin_blocks_for_min_bytes)
{
	struct ld_io *r = ld_shared(_metadata, sizeof(*r));
	char buf[16];
	pid_t pid;

	ASSERT_EQ(0, ld_raw(self->s, 2, 0));
	PUT(self->m, "abcd");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(3, read(self->s, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	PUT(self->m, "e");
	EXPECT_BYTES(self->s, "de");

	PUT(self->m, "f");
	pid = ld_fork_read(self->s, 64, r);
	ASSERT_LE(0, pid);
	ld_blocked(_metadata, pid, SYS_read);
	PUT(self->m, "gh");
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ(3, r->n);
	EXPECT_EQ(0, memcmp(r->buf, "fgh", 3));

	PUT(self->m, "i");
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	ASSERT_EQ(0, pty_poll(self->s, POLLIN, PTY_QUIET_MS));
	EXPECT_EQ(1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ('i', buf[0]);
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * VMIN above 64: the tty core hands the discipline 64-byte chunks and
 * n_tty checks VMIN against each chunk alone (n_tty.c:2283-2297), so with
 * 150 bytes queued and VMIN 100 a read returns 64 of them, and the next
 * ones the same way until fewer than 64 remain.
 */
TEST_F(ldisc, vmin_above_the_core_chunk)
{
	static char in[150], out[200];
	ssize_t len = sizeof(in);
	size_t got;

	memset(in, 'v', sizeof(in));
	ASSERT_EQ(0, ld_raw(self->s, 100, 0));
	ASSERT_EQ(len, write(self->m, in, sizeof(in)));
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_EQ(64, read(self->s, out, sizeof(out)));
	EXPECT_EQ(64, read(self->s, out, sizeof(out)));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(22, read(self->s, out, sizeof(out)));
	got = pty_read_full(self->s, out, sizeof(out), PTY_QUIET_MS);
	EXPECT_EQ(0u, got);
}

/*
 * MIN > 0, TIME > 0: the timer starts with the first byte, so a read with
 * fewer than MIN bytes there returns them when it runs out, and one
 * without data waits for the first byte however long (n_tty.c:2294-2296).
 */
TEST_F(ldisc, vmin_vtime_interbyte_timer)
{
	struct ld_io *r = ld_shared(_metadata, sizeof(*r));
	pid_t pid;

	ASSERT_EQ(0, ld_raw(self->s, 3, 1));
	PUT(self->m, "a");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_READ(self->s, "a");
	PUT(self->m, "bcde");
	ASSERT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_READ(self->s, "bcde");

	pid = ld_fork_read(self->s, 64, r);
	ASSERT_LE(0, pid);
	ld_blocked(_metadata, pid, SYS_read);
	PUT(self->m, "xyz");
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ(3, r->n);
	EXPECT_EQ(0, memcmp(r->buf, "xyz", 3));
}

/*
 * poll() honours MIN when TIME is 0, and wants a single byte otherwise
 * (input_available_p, n_tty.c:1917-1926).
 */
TEST_F(ldisc, poll_honours_vmin)
{
	ASSERT_EQ(0, ld_raw(self->s, 3, 0));
	PUT(self->m, "ab");
	EXPECT_EQ(0, pty_poll(self->s, POLLIN, PTY_QUIET_MS));
	EXPECT_EQ(2, ld_inq(self->s));
	ASSERT_EQ(0, pty_set_cc(self->s, VTIME, 1));
	EXPECT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(0, pty_set_cc(self->s, VTIME, 0));
	EXPECT_EQ(0, pty_poll(self->s, POLLIN, 0));
	PUT(self->m, "c");
	EXPECT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_BYTES(self->s, "abc");
	ASSERT_EQ(0, pty_set_cc(self->s, VMIN, 0));
	EXPECT_EQ(0, pty_poll(self->s, POLLIN, 0));
	PUT(self->m, "d");
	EXPECT_EQ(POLLIN, pty_poll(self->s, POLLIN, PTY_WAIT_MS));
	EXPECT_READ(self->s, "d");
}

/* O_NONBLOCK reads of an empty slave fail with EAGAIN in both modes. */
TEST_F(ldisc, nonblocking_reads)
{
	char buf[16];

	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	PUT(self->m, "partial");
	EXPECT_BYTES(self->m, "partial");
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	EXPECT_BYTES(self->s, "partial");
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_HARNESS_MAIN
