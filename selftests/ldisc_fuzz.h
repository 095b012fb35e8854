/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ldisc_fuzz.h - the scenarios of ldisc_fuzz_test: a seeded generator of
 * termios settings and of the operations run on a pty pair, and their
 * readable form for reports.
 *
 * A scenario is a function of its seed alone (splitmix64; never rand()).
 * The generator also makes the choices that keep the outcome independent
 * of timing (see "Determinism" atop ldisc_fuzz_test.c): which input may be
 * written on the master and which must be injected with TIOCSTI, and where
 * the runner drains the master in the middle of an injection.
 */
#ifndef _MYPTS_LDISC_FUZZ_H
#define _MYPTS_LDISC_FUZZ_H

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>

#define FZ_MAX_OPS	72
#define FZ_POOL		16384	/* input and output bytes of one scenario */
/*
 * Input the runner may write on the master while the slave's discipline
 * might hold up to this many unread bytes: with PARMRK (3 slots a byte)
 * the 4095-byte buffer still has room, so the flip buffer worker never
 * stops short and never looks ahead for flow control characters.
 */
#define FZ_MWRITE_BUDGET	1000
/* Bytes of one injection after which the runner drains the master. */
#define FZ_STI_DRAIN_EVERY	256

/* splitmix64 */
struct fz_rng {
	unsigned long long s;
};

static inline unsigned long long fz_next(struct fz_rng *r)
{
	unsigned long long z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline unsigned int fz_below(struct fz_rng *r, unsigned int n)
{
	return (unsigned int)(((fz_next(r) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline unsigned int fz_range(struct fz_rng *r, unsigned int lo, unsigned int hi)
{
	return lo + fz_below(r, hi - lo + 1);
}

static inline int fz_pct(struct fz_rng *r, unsigned int pct)
{
	return fz_below(r, 100) < pct;
}

enum fz_op_type {
	FZ_STI,		/* bytes into the slave's discipline, one TIOCSTI each */
	FZ_MWRITE,	/* bytes written on the master, then a slave drain */
	FZ_SWRITE,	/* bytes written on the slave */
	FZ_SREAD,	/* one read() of the slave */
	FZ_SDRAIN,	/* read the slave until it has nothing more */
	FZ_INQ,		/* FIONREAD and TIOCOUTQ on the slave */
	FZ_POLL,	/* poll() both ends without waiting */
	FZ_TERMIOS,	/* tcsetattr() on the slave or the master */
	FZ_FLUSH,	/* TCFLSH on the slave */
	FZ_XONC,	/* TCXONC on the slave */
	FZ_WINSZ,	/* TIOCSWINSZ on the slave or the master */
	FZ_PKT,		/* TIOCPKT on the master */
	FZ_NR_OPS
};

static const char * const fz_op_names[FZ_NR_OPS] = {
	"sti", "mwrite", "swrite", "sread", "sdrain", "inq", "poll",
	"termios", "tcflsh", "tcxonc", "winsz", "pkt",
};

/* How a slave drain reads, decided by the termios in force. */
#define FZ_DRAIN_LINES	0x01	/* canonical: each read() is one line */
#define FZ_DRAIN_ZERO	0x02	/* VMIN = VTIME = 0: 0 means nothing left */

/* Marks on the bytes of an injection. */
#define FZ_MARK_DRAIN	0x01	/* drain the master before this byte */

/**
 * struct fz_op - one operation of a scenario
 * @type: enum fz_op_type
 * @master: FZ_TERMIOS, FZ_WINSZ: issued on the master fd
 * @poll: poll both ends after the operation, before the master drain
 * @drain: FZ_DRAIN_* of the slave drain this operation does or implies
 * @arg: read size, TCFLSH/TCXONC argument, TCSANOW/TCSADRAIN/TCSAFLUSH,
 *	packet mode on or off
 * @line: FZ_TERMIOS: c_line to set, or -1 for the slave's (what programs
 *	that saved their termios write back)
 * @off: first byte of the operation's data in the scenario's pool
 * @len: bytes of data
 * @t: FZ_TERMIOS: the termios to set
 * @ws: FZ_WINSZ: the window size to set
 */
struct fz_op {
	unsigned char type;
	unsigned char master;
	unsigned char poll;
	unsigned char drain;
	int arg;
	int line;
	unsigned int off;
	unsigned int len;
	struct termios t;
	struct winsize ws;
};

/**
 * struct fz_scenario - everything one seed runs
 * @seed: the seed
 * @t0: termios set before the first operation
 * @ws0: window size set before the first operation
 * @packet: packet mode on the master from the start
 * @nops: operations in @op
 * @pool_len: bytes used in @pool
 * @op: the operations
 * @pool: data of the operations
 * @mark: FZ_MARK_* of each byte of @pool
 */
struct fz_scenario {
	unsigned long long seed;
	struct termios t0;
	struct winsize ws0;
	int packet;
	unsigned int nops;
	unsigned int pool_len;
	struct fz_op op[FZ_MAX_OPS];
	unsigned char pool[FZ_POOL];
	unsigned char mark[FZ_POOL];
};

struct fz_flag {
	const char *name;
	tcflag_t bit;
	unsigned char pct;	/* how often a random termios has it */
};

static const struct fz_flag fz_iflags[] = {
	{ "IGNBRK", IGNBRK, 10 }, { "BRKINT", BRKINT, 20 }, { "IGNPAR", IGNPAR, 10 },
	{ "PARMRK", PARMRK, 20 }, { "INPCK", INPCK, 15 }, { "ISTRIP", ISTRIP, 15 },
	{ "INLCR", INLCR, 20 }, { "IGNCR", IGNCR, 15 }, { "ICRNL", ICRNL, 50 },
	{ "IUCLC", IUCLC, 15 }, { "IXON", IXON, 50 }, { "IXANY", IXANY, 30 },
	{ "IXOFF", IXOFF, 15 }, { "IMAXBEL", IMAXBEL, 30 }, { "IUTF8", IUTF8, 35 },
};

/* Single bits of c_oflag; CRDLY and TABDLY are two-bit fields, done apart. */
static const struct fz_flag fz_oflags[] = {
	{ "OPOST", OPOST, 80 }, { "OLCUC", OLCUC, 15 }, { "ONLCR", ONLCR, 50 },
	{ "OCRNL", OCRNL, 20 }, { "ONOCR", ONOCR, 20 }, { "ONLRET", ONLRET, 20 },
	{ "OFILL", OFILL, 10 }, { "OFDEL", OFDEL, 10 }, { "NL1", NL1, 5 },
	{ "BS1", BS1, 5 }, { "VT1", VT1, 5 }, { "FF1", FF1, 5 },
};

static const struct fz_flag fz_lflags[] = {
	{ "ISIG", ISIG, 60 }, { "ICANON", ICANON, 65 }, { "XCASE", XCASE, 5 },
	{ "ECHO", ECHO, 70 }, { "ECHOE", ECHOE, 50 }, { "ECHOK", ECHOK, 40 },
	{ "ECHONL", ECHONL, 20 }, { "NOFLSH", NOFLSH, 20 }, { "TOSTOP", TOSTOP, 15 },
	{ "ECHOCTL", ECHOCTL, 50 }, { "ECHOPRT", ECHOPRT, 25 }, { "ECHOKE", ECHOKE, 40 },
	{ "FLUSHO", FLUSHO, 5 }, { "PENDIN", PENDIN, 10 }, { "IEXTEN", IEXTEN, 60 },
	{ "EXTPROC", EXTPROC, 8 },
};

struct fz_cc {
	const char *name;
	unsigned char idx;
	unsigned char def;
};

/* The control characters n_tty looks at, with Linux's defaults. */
static const struct fz_cc fz_ccs[] = {
	{ "intr", VINTR, 003 }, { "quit", VQUIT, 034 }, { "erase", VERASE, 0177 },
	{ "kill", VKILL, 025 }, { "eof", VEOF, 004 }, { "eol", VEOL, 0 },
	{ "eol2", VEOL2, 0 }, { "start", VSTART, 021 }, { "stop", VSTOP, 023 },
	{ "susp", VSUSP, 032 }, { "reprint", VREPRINT, 022 }, { "werase", VWERASE, 027 },
	{ "lnext", VLNEXT, 026 }, { "discard", VDISCARD, 017 },
};

#define FZ_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Linux's tty_std_termios, the initial termios of a pty slave. */
static inline void fz_std_termios(struct termios *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	for (i = 0; i < FZ_ARRAY_SIZE(fz_ccs); i++)
		t->c_cc[fz_ccs[i].idx] = fz_ccs[i].def;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
	cfsetispeed(t, B38400);
	cfsetospeed(t, B38400);
}

/* The kernel's tolower(): its ctype is Latin-1, so 0xc0-0xde fold too. */
static inline unsigned char fz_ktolower(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7))
		return c + 0x20;
	return c;
}

/* A byte as the discipline sees it after ISTRIP and IUCLC. */
static inline unsigned char fz_in_byte(const struct termios *t, unsigned char b)
{
	if (t->c_iflag & ISTRIP)
		b &= 0x7f;
	if ((t->c_iflag & IUCLC) && (t->c_lflag & IEXTEN))
		b = fz_ktolower(b);
	return b;
}

/* Could @b raise a signal (ISIG) under @t? A disabled (0) character never does. */
static inline int fz_is_sigchar(const struct termios *t, unsigned char b)
{
	unsigned char c = fz_in_byte(t, b);

	if (!(t->c_lflag & ISIG) || !c)
		return 0;
	return c == t->c_cc[VINTR] || c == t->c_cc[VQUIT] || c == t->c_cc[VSUSP];
}

static inline unsigned int fz_drain_mode(const struct termios *t)
{
	unsigned int mode = 0;

	if ((t->c_lflag & ICANON) && !(t->c_lflag & EXTPROC))
		mode |= FZ_DRAIN_LINES;
	if (!(t->c_lflag & ICANON) && !t->c_cc[VMIN] && !t->c_cc[VTIME])
		mode |= FZ_DRAIN_ZERO;
	return mode;
}

static inline tcflag_t fz_random_flags(struct fz_rng *r, const struct fz_flag *tab,
				       unsigned int n)
{
	tcflag_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (fz_pct(r, tab[i].pct))
			v |= tab[i].bit;
	return v;
}

/* A value for a control character: disabled, colliding, odd or plain. */
static inline unsigned char fz_cc_value(struct fz_rng *r, const struct termios *t)
{
	static const char odd[] = "\t\n\r \b";

	switch (fz_below(r, 10)) {
	case 0:
	case 1:
		return _POSIX_VDISABLE;
	case 2:
	case 3:
		return fz_range(r, 1, 31);
	case 4:
		return 0177;
	case 5:
		return odd[fz_below(r, sizeof(odd) - 1)];
	case 6:
	case 7:
		return t->c_cc[fz_ccs[fz_below(r, FZ_ARRAY_SIZE(fz_ccs))].idx];
	case 8:
		return fz_range(r, 0x80, 0xff);
	default:
		return fz_range(r, 0x21, 0x7e);
	}
}

static inline void fz_random_minmax(struct fz_rng *r, struct termios *t)
{
	/* Past 64 too: the tty core reads in 64-byte pieces. */
	static const unsigned char mins[] = { 0, 0, 1, 1, 1, 2, 3, 5, 8, 40, 65, 255 };

	t->c_cc[VMIN] = mins[fz_below(r, sizeof(mins))];
	t->c_cc[VTIME] = fz_pct(r, 70) ? 0 : fz_range(r, 1, 5);
}

/* Change one thing of @t: a flag (mostly a c_lflag one), a cc, or VMIN/VTIME. */
static inline void fz_mutate(struct fz_rng *r, struct termios *t)
{
	static const tcflag_t hot[] = {
		ICANON, ECHO, ISIG, IEXTEN, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHOPRT,
		ECHOPRT, ECHONL, NOFLSH, EXTPROC,
	};
	unsigned int k = fz_below(r, 100);

	if (k < 30) {
		t->c_lflag ^= hot[fz_below(r, FZ_ARRAY_SIZE(hot))];
	} else if (k < 45) {
		t->c_lflag ^= fz_lflags[fz_below(r, FZ_ARRAY_SIZE(fz_lflags))].bit;
	} else if (k < 62) {
		t->c_iflag ^= fz_iflags[fz_below(r, FZ_ARRAY_SIZE(fz_iflags))].bit;
	} else if (k < 74) {
		t->c_oflag ^= fz_oflags[fz_below(r, FZ_ARRAY_SIZE(fz_oflags))].bit;
	} else if (k < 78) {
		t->c_oflag = (t->c_oflag & ~TABDLY) | (fz_below(r, 4) * TAB1);
	} else if (k < 80) {
		t->c_oflag = (t->c_oflag & ~CRDLY) | (fz_below(r, 4) * CR1);
	} else if (k < 93) {
		const struct fz_cc *cc = &fz_ccs[fz_below(r, FZ_ARRAY_SIZE(fz_ccs))];

		t->c_cc[cc->idx] = fz_pct(r, 30) ? cc->def : fz_cc_value(r, t);
	} else {
		fz_random_minmax(r, t);
	}
}

static inline void fz_random_termios(struct fz_rng *r, struct termios *t)
{
	unsigned int i, n;

	fz_std_termios(t);
	if (fz_pct(r, 35)) {
		/* Near the default, as programs leave it. */
		for (n = fz_below(r, 5), i = 0; i < n; i++)
			fz_mutate(r, t);
		return;
	}
	t->c_iflag = fz_random_flags(r, fz_iflags, FZ_ARRAY_SIZE(fz_iflags));
	t->c_oflag = fz_random_flags(r, fz_oflags, FZ_ARRAY_SIZE(fz_oflags));
	t->c_lflag = fz_random_flags(r, fz_lflags, FZ_ARRAY_SIZE(fz_lflags));
	n = fz_below(r, 100);
	if (n < 25)
		t->c_oflag |= XTABS;
	else if (n < 35)
		t->c_oflag |= fz_range(r, 1, 2) * TAB1;
	if (fz_pct(r, 10))
		t->c_oflag |= fz_range(r, 1, 3) * CR1;
	for (i = 0; i < FZ_ARRAY_SIZE(fz_ccs); i++)
		if (fz_pct(r, 15))
			t->c_cc[fz_ccs[i].idx] = fz_cc_value(r, t);
	if (fz_pct(r, 40))
		fz_random_minmax(r, t);
}

/*
 * Input bytes the discipline may find interesting, at @out; returns how
 * many (a UTF-8 sequence is up to 4).
 */
static inline unsigned int fz_input(struct fz_rng *r, const struct termios *t,
				    unsigned char *out)
{
	static const char punct[] = " .,;:-_/'\"()[]{}<>!?#=+*&%$@~`|^\\";
	unsigned int k = fz_below(r, 100), n, i;
	unsigned char c;

	if (k < 22) {
		n = fz_below(r, 62);
		out[0] = n < 26 ? 'a' + n : n < 52 ? 'A' + n - 26 : '0' + n - 52;
		return 1;
	}
	if (k < 28) {
		out[0] = punct[fz_below(r, sizeof(punct) - 1)];
		return 1;
	}
	if (k < 50) {
		/* One of the current special characters, when enabled. */
		c = t->c_cc[fz_ccs[fz_below(r, FZ_ARRAY_SIZE(fz_ccs))].idx];
		out[0] = c ? c : 'x';
		return 1;
	}
	if (k < 56) {
		/* One of the default special characters, whatever the termios. */
		out[0] = fz_ccs[fz_below(r, FZ_ARRAY_SIZE(fz_ccs))].def;
		if (!out[0])
			out[0] = '\n';
		return 1;
	}
	if (k < 65) {
		out[0] = "\r\n\n\t"[fz_below(r, 4)];
		return 1;
	}
	if (k < 69) {
		out[0] = "\x7f\xff\x00\x80"[fz_below(r, 4)];
		return 1;
	}
	if (k < 75) {
		out[0] = fz_range(r, 1, 31);
		return 1;
	}
	if (k < 83) {
		/* A UTF-8 sequence of 2 to 4 bytes, sometimes cut short. */
		n = fz_range(r, 2, 4);
		out[0] = n == 2 ? fz_range(r, 0xc2, 0xdf) : n == 3 ? fz_range(r, 0xe0, 0xef) :
			 fz_range(r, 0xf0, 0xf4);
		for (i = 1; i < n; i++)
			out[i] = fz_range(r, 0x80, 0xbf);
		if (fz_pct(r, 10))
			n--;
		return n;
	}
	if (k < 86) {
		out[0] = fz_range(r, 0x80, 0xbf);	/* a stray continuation byte */
		return 1;
	}
	if (k < 90) {
		out[0] = fz_range(r, 0x80, 0xff);
		return 1;
	}
	if (k < 94) {
		/* A special character with the top bit set (ISTRIP). */
		c = t->c_cc[fz_ccs[fz_below(r, FZ_ARRAY_SIZE(fz_ccs))].idx];
		out[0] = (c ? c : 'q') | 0x80;
		return 1;
	}
	out[0] = 'A' + fz_below(r, 26);		/* IUCLC */
	return 1;
}

/*
 * Input of a line being edited: mostly the current editing characters
 * (erase, kill, word erase, literal next, reprint, end of file and of
 * line), with some text between them.
 */
static inline unsigned int fz_input_edit(struct fz_rng *r, const struct termios *t,
					 unsigned char *out)
{
	static const unsigned char edit[] = {
		VERASE, VERASE, VKILL, VWERASE, VLNEXT, VLNEXT, VREPRINT, VEOF, VEOL, VEOL2,
	};
	unsigned int k = fz_below(r, 100);

	if (k < 55) {
		out[0] = t->c_cc[edit[fz_below(r, sizeof(edit))]];
		if (out[0])
			return 1;
	}
	if (k < 62) {
		out[0] = "\t\n\x01\x7f"[fz_below(r, 4)];
		return 1;
	}
	if (k < 70) {
		/* What a word erase stops at, or not. */
		out[0] = "_ _-.a0"[fz_below(r, 7)];
		return 1;
	}
	if (k < 85) {
		out[0] = fz_range(r, 0x21, 0x7e);
		return 1;
	}
	return fz_input(r, t, out);
}

/* Output bytes for the slave to write: column tracking, tabs, case, CR/NL. */
static inline unsigned int fz_output(struct fz_rng *r, unsigned char *out)
{
	unsigned int k = fz_below(r, 100);

	if (k < 45)
		out[0] = fz_range(r, 0x20, 0x7e);
	else if (k < 55)
		out[0] = 'a' + fz_below(r, 26);
	else if (k < 65)
		out[0] = '\t';
	else if (k < 74)
		out[0] = '\n';
	else if (k < 80)
		out[0] = '\r';
	else if (k < 84)
		out[0] = '\b';
	else if (k < 90)
		out[0] = fz_range(r, 0, 31);
	else if (k < 96)
		out[0] = fz_range(r, 0x80, 0xff);
	else
		out[0] = 0x7f;
	return 1;
}

/*
 * Generator state besides the scenario: the termios and packet mode in
 * force, and how many input bytes the slave's discipline may hold (the
 * budget of master writes; see FZ_MWRITE_BUDGET).
 */
struct fz_gen {
	struct fz_rng r;
	struct fz_scenario *sc;
	struct termios cur;
	int packet;
	unsigned int held;
	unsigned int mwrite_pct;
};

static inline struct fz_op *fz_add(struct fz_gen *g, unsigned int type)
{
	static struct fz_op spare;	/* when full: written, never run */
	struct fz_op *op = g->sc->nops < FZ_MAX_OPS ? &g->sc->op[g->sc->nops++] : &spare;

	memset(op, 0, sizeof(*op));
	op->type = type;
	op->line = -1;
	op->off = g->sc->pool_len;
	op->drain = fz_drain_mode(&g->cur);
	op->poll = fz_pct(&g->r, 12);
	return op;
}

static inline void fz_put(struct fz_gen *g, struct fz_op *op, unsigned char c,
			  unsigned char mark)
{
	struct fz_scenario *sc = g->sc;

	if (sc->pool_len >= FZ_POOL)
		return;
	sc->pool[sc->pool_len] = c;
	sc->mark[sc->pool_len] = mark;
	sc->pool_len++;
	op->len++;
}

/*
 * Input for the slave: written on the master when that cannot depend on
 * timing, else injected with TIOCSTI. A master write is refused when a
 * byte could raise a signal (its delivery would race with the runner, and
 * devpts' flush of the master's flip buffer with its worker), under
 * EXTPROC|ICANON, and beyond the budget.
 */
static inline void fz_gen_input(struct fz_gen *g, unsigned int n, int edit)
{
	unsigned char buf[FZ_POOL];
	unsigned int len = 0, i;
	int master = fz_pct(&g->r, g->mwrite_pct);
	struct fz_op *op;

	while (len < n && len + 4 <= sizeof(buf))
		len += edit ? fz_input_edit(&g->r, &g->cur, buf + len) :
			      fz_input(&g->r, &g->cur, buf + len);
	if (g->held + len > FZ_MWRITE_BUDGET)
		master = 0;
	/*
	 * Under EXTPROC|ICANON a read that gets a lone VEOF byte (a NUL when
	 * VEOF is disabled) returns 0, so whether the drain sees such a byte
	 * alone would depend on the worker.
	 */
	if ((g->cur.c_lflag & (EXTPROC | ICANON)) == (EXTPROC | ICANON))
		master = 0;
	for (i = 0; i < len && master; i++)
		if (fz_is_sigchar(&g->cur, buf[i]))
			master = 0;
	if (g->sc->pool_len + len > FZ_POOL)
		return;
	op = fz_add(g, master ? FZ_MWRITE : FZ_STI);
	for (i = 0; i < len; i++)
		fz_put(g, op, buf[i], !master && fz_is_sigchar(&g->cur, buf[i]) ?
		       FZ_MARK_DRAIN : 0);
	g->held += len;
	/* A master write ends with a slave drain, as do plain drains below. */
	if (master && !(op->drain & FZ_DRAIN_LINES))
		g->held = 0;
}

/* Could @b start or stop output (IXON), as the lookahead or the receive sees it? */
static inline int fz_is_flowchar(const struct termios *t, unsigned char b)
{
	unsigned char c = fz_in_byte(t, b);

	if (!(t->c_iflag & IXON))
		return 0;
	return (b && (b == t->c_cc[VSTART] || b == t->c_cc[VSTOP])) ||
	       (c && (c == t->c_cc[VSTART] || c == t->c_cc[VSTOP]));
}

/*
 * Would @b end or empty the line under @t, so that no limit is reached, or
 * reprint it, an echo too large to compare (FZ_CAP)?
 */
static inline int fz_long_unfit(const struct termios *t, unsigned char b)
{
	unsigned char c = fz_in_byte(t, b);

	if (c == '\n' || c == '\r' || b == '\n' || b == '\r')
		return 1;
	if (!c)
		return 0;
	return c == t->c_cc[VEOF] || c == t->c_cc[VEOL] || c == t->c_cc[VEOL2] ||
	       c == t->c_cc[VKILL] || c == t->c_cc[VWERASE] || c == t->c_cc[VREPRINT] ||
	       fz_is_sigchar(t, b);
}

/*
 * A run of mostly letters long enough to reach the 4095-byte limits: in
 * pieces written on the master in canonical mode, where a slave drain
 * leaves the partial line alone, else injected (a drain would empty the
 * raw buffer). A piece may exceed FZ_MWRITE_BUDGET: the worker may then
 * stop short until a drain makes room, which changes nothing but for the
 * flow control characters its lookahead acts on early; so a piece with
 * one of those (or a signal character) is injected instead.
 */
static inline void fz_gen_long(struct fz_gen *g)
{
	unsigned int n = fz_range(&g->r, 4000, 4400), i, j, k, len;
	int canon = (g->cur.c_lflag & (ICANON | EXTPROC)) == ICANON;
	unsigned char buf[1100], mark;
	struct fz_op *op;
	int master;

	for (i = 0; i < n; i += len) {
		if (g->sc->pool_len + sizeof(buf) > FZ_POOL || g->sc->nops >= FZ_MAX_OPS - 3)
			return;
		master = canon && fz_pct(&g->r, 90);
		for (len = 0; len < 1024 && i + len < n; len += k) {
			k = 1;
			buf[len] = 'a' + ((i + len) % 26);
			if (fz_pct(&g->r, 3))
				k = fz_input(&g->r, &g->cur, buf + len);
			for (j = len; j < len + k; j++)
				if (fz_long_unfit(&g->cur, buf[j]) ||
				    (master && (fz_is_sigchar(&g->cur, buf[j]) ||
						fz_is_flowchar(&g->cur, buf[j]))))
					buf[j] = 'z';
		}
		op = fz_add(g, master ? FZ_MWRITE : FZ_STI);
		op->poll = 0;
		for (j = 0; j < len; j++) {
			mark = 0;
			if (!master && (fz_is_sigchar(&g->cur, buf[j]) ||
					!(op->len % FZ_STI_DRAIN_EVERY)))
				mark = FZ_MARK_DRAIN;
			fz_put(g, op, buf[j], mark);
		}
	}
	g->held += n;
	/* Mostly end the line, and read it. */
	if (fz_pct(&g->r, 70) && g->sc->nops < FZ_MAX_OPS - 4) {
		fz_gen_input(g, fz_range(&g->r, 1, 3), 1);
		fz_add(g, FZ_SDRAIN);
	}
}

static inline void fz_gen_op(struct fz_gen *g)
{
	struct fz_rng *r = &g->r;
	unsigned int k = fz_below(r, 100), n, i;
	unsigned char buf[4];
	struct fz_op *op;

	if (k < 34) {
		n = fz_pct(r, 90) ? fz_range(r, 1, 12) : fz_range(r, 13, 48);
		fz_gen_input(g, n, fz_pct(r, 25));
		/* Output right after input: echo still queued, columns in use. */
		if (fz_pct(r, 15) && g->sc->nops < FZ_MAX_OPS - 3) {
			op = fz_add(g, FZ_SWRITE);
			for (n = fz_range(r, 1, 4), i = 0; i < n; i++) {
				fz_output(r, buf);
				fz_put(g, op, buf[0], 0);
			}
		}
	} else if (k < 44) {
		op = fz_add(g, FZ_SWRITE);
		n = fz_pct(r, 90) ? fz_range(r, 1, 40) : fz_range(r, 41, 300);
		for (i = 0; i < n; i++) {
			fz_output(r, buf);
			fz_put(g, op, buf[0], 0);
		}
	} else if (k < 53) {
		op = fz_add(g, FZ_SREAD);
		n = fz_below(r, 12);
		if (n < 5)
			op->arg = fz_range(r, 1, 8);
		else if (n < 9)
			op->arg = fz_range(r, 9, 100);
		else if (n < 11)	/* about the core's 64-byte pieces */
			op->arg = fz_range(r, 63, 65) + (n - 9) * 64;
		else
			op->arg = 8192;
	} else if (k < 60) {
		op = fz_add(g, FZ_SDRAIN);
		if (!(op->drain & FZ_DRAIN_LINES))
			g->held = 0;
	} else if (k < 66) {
		fz_add(g, FZ_INQ);
	} else if (k < 70) {
		fz_add(g, FZ_POLL);
	} else if (k < 84) {
		op = fz_add(g, FZ_TERMIOS);
		op->t = g->cur;
		if (fz_pct(r, 8)) {
			fz_random_termios(r, &op->t);
		} else {
			for (n = fz_range(r, 1, 3), i = 0; i < n; i++)
				fz_mutate(r, &op->t);
		}
		n = fz_below(r, 100);
		op->arg = n < 70 ? TCSANOW : n < 85 ? TCSADRAIN : TCSAFLUSH;
		op->master = fz_pct(r, 30);
		/*
		 * c_line names a discipline but changes none (TIOCSETD does);
		 * drivers must not take it for the discipline in force (mypts'
		 * slave once did, and posted FLUSHREAD for a TCOFLUSH).
		 */
		if (fz_pct(r, 4))
			op->line = fz_pct(r, 50) ? N_TTY : (int)fz_below(r, 30);
		g->cur = op->t;
		if (op->arg == TCSAFLUSH)
			g->held = 0;
	} else if (k < 89) {
		static const int args[] = { TCIFLUSH, TCOFLUSH, TCIOFLUSH };

		op = fz_add(g, FZ_FLUSH);
		op->arg = fz_pct(r, 4) ? 7 : args[fz_below(r, 3)];
		if (op->arg == TCIFLUSH || op->arg == TCIOFLUSH)
			g->held = 0;
	} else if (k < 95) {
		static const int args[] = { TCOOFF, TCOON, TCIOFF, TCION };

		op = fz_add(g, FZ_XONC);
		op->arg = fz_pct(r, 3) ? 9 : args[fz_below(r, 4)];
	} else if (k < 98) {
		op = fz_add(g, FZ_WINSZ);
		op->master = fz_pct(r, 50);
		op->ws = g->sc->ws0;
		if (fz_pct(r, 80)) {
			op->ws.ws_row = fz_below(r, 200);
			op->ws.ws_col = fz_below(r, 300);
		}
	} else {
		op = fz_add(g, FZ_PKT);
		op->arg = !g->packet;
		g->packet = op->arg;
	}
}

static inline void fz_generate(struct fz_scenario *sc, unsigned long long seed)
{
	struct fz_gen g = { .r = { seed }, .sc = sc };
	static const unsigned char mw[] = { 0, 15, 30, 50 };
	unsigned int nops, i, at_long = ~0u;
	struct fz_op *op;

	sc->seed = seed;
	sc->nops = 0;
	sc->pool_len = 0;
	fz_random_termios(&g.r, &sc->t0);
	if (fz_pct(&g.r, 3)) {
		/* Up to the canonical line limit, or (rarely) the raw buffer's. */
		if (fz_pct(&g.r, 80)) {
			sc->t0.c_lflag |= ICANON;
			sc->t0.c_lflag &= ~EXTPROC;
		}
		at_long = 0;
	}
	sc->ws0.ws_row = fz_below(&g.r, 100);
	sc->ws0.ws_col = fz_below(&g.r, 200);
	sc->packet = fz_pct(&g.r, 30);
	g.cur = sc->t0;
	g.packet = sc->packet;
	g.mwrite_pct = mw[fz_below(&g.r, sizeof(mw))];
	nops = fz_pct(&g.r, 85) ? fz_range(&g.r, 4, 24) : fz_range(&g.r, 25, FZ_MAX_OPS - 12);
	if (!at_long)
		at_long = fz_below(&g.r, nops);
	for (i = 0; i < nops && sc->nops < FZ_MAX_OPS - 3; i++) {
		if (i == at_long)
			fz_gen_long(&g);
		else
			fz_gen_op(&g);
	}
	/* Whatever is left, with a partial canonical line made readable. */
	if (fz_pct(&g.r, 40) && (g.cur.c_lflag & ICANON)) {
		op = fz_add(&g, FZ_TERMIOS);
		op->t = g.cur;
		op->t.c_lflag &= ~ICANON;
		op->arg = TCSANOW;
		g.cur = op->t;
	}
	op = fz_add(&g, FZ_SDRAIN);
	op->poll = 0;
	op = fz_add(&g, FZ_INQ);
	op->poll = 1;
}

/* ---- readable form ---- */

/* Append @c to @out, escaped as in C; returns the length added. */
static inline int fz_esc(char *out, unsigned char c)
{
	switch (c) {
	case '\n':
		return sprintf(out, "\\n");
	case '\r':
		return sprintf(out, "\\r");
	case '\t':
		return sprintf(out, "\\t");
	case '\\':
		return sprintf(out, "\\\\");
	case '"':
		return sprintf(out, "\\\"");
	}
	if (c < 0x20 || c >= 0x7f)
		return sprintf(out, "\\x%02x", c);
	out[0] = c;
	out[1] = '\0';
	return 1;
}

/*
 * Print @n bytes as C string literals, @width characters a line at most,
 * each line led by @lead. With @mark, a '|' stands before each byte that
 * has FZ_MARK_DRAIN (outside the quotes).
 */
static inline void fz_print_bytes(FILE *f, const char *lead, const unsigned char *p,
				  unsigned int n, const unsigned char *mark)
{
	char line[160];
	unsigned int i, len = 0;
	int open = 0;

	if (!n) {
		fprintf(f, "%s\"\"\n", lead);
		return;
	}
	for (i = 0; i < n; i++) {
		if (len > 90) {
			fprintf(f, "%s%s\"\n", lead, line);
			len = 0;
			open = 0;
		}
		if (mark && (mark[i] & FZ_MARK_DRAIN)) {
			len += sprintf(line + len, "%s|", open ? "\" " : "");
			open = 0;
		}
		if (!open) {
			len += sprintf(line + len, "\"");
			open = 1;
		}
		len += fz_esc(line + len, p[i]);
	}
	fprintf(f, "%s%s\"\n", lead, line);
}

static inline void fz_print_cc(FILE *f, const char *name, unsigned char c)
{
	if (!c)
		fprintf(f, " %s=off", name);
	else if (c < 0x20)
		fprintf(f, " %s=^%c", name, c + '@');
	else if (c == 0x7f)
		fprintf(f, " %s=^?", name);
	else if (c > 0x7f)
		fprintf(f, " %s=\\x%02x", name, c);
	else
		fprintf(f, " %s='%c'", name, c);
}

static inline void fz_print_flags(FILE *f, const char *word, tcflag_t v,
				  const struct fz_flag *tab, unsigned int n)
{
	unsigned int i;
	int any = 0;

	fprintf(f, " %s=", word);
	for (i = 0; i < n; i++) {
		if (v & tab[i].bit) {
			fprintf(f, "%s%s", any ? "|" : "", tab[i].name);
			any = 1;
		}
	}
	if (!any)
		fprintf(f, "0");
}

static inline void fz_print_termios(FILE *f, const char *lead, const struct termios *t)
{
	unsigned int i;

	fprintf(f, "%s", lead);
	fz_print_flags(f, "iflag", t->c_iflag, fz_iflags, FZ_ARRAY_SIZE(fz_iflags));
	fz_print_flags(f, "oflag", t->c_oflag, fz_oflags, FZ_ARRAY_SIZE(fz_oflags));
	if (t->c_oflag & TABDLY)
		fprintf(f, "|TAB%u", (t->c_oflag & TABDLY) / TAB1);
	if (t->c_oflag & CRDLY)
		fprintf(f, "|CR%u", (t->c_oflag & CRDLY) / CR1);
	fprintf(f, "\n%s", lead);
	fz_print_flags(f, "lflag", t->c_lflag, fz_lflags, FZ_ARRAY_SIZE(fz_lflags));
	fprintf(f, "\n%s", lead);
	for (i = 0; i < FZ_ARRAY_SIZE(fz_ccs); i++)
		fz_print_cc(f, fz_ccs[i].name, t->c_cc[fz_ccs[i].idx]);
	fprintf(f, " min=%u time=%u\n", t->c_cc[VMIN], t->c_cc[VTIME]);
}

/* What changed from @a to @b, on one line. */
static inline void fz_print_termios_diff(FILE *f, const struct termios *a,
					 const struct termios *b)
{
	static const struct {
		const struct fz_flag *tab;
		unsigned int n;
		size_t off;
	} words[] = {
		{ fz_iflags, FZ_ARRAY_SIZE(fz_iflags), offsetof(struct termios, c_iflag) },
		{ fz_oflags, FZ_ARRAY_SIZE(fz_oflags), offsetof(struct termios, c_oflag) },
		{ fz_lflags, FZ_ARRAY_SIZE(fz_lflags), offsetof(struct termios, c_lflag) },
	};
	unsigned int w, i;
	int any = 0;

	for (w = 0; w < FZ_ARRAY_SIZE(words); w++) {
		tcflag_t va = *(const tcflag_t *)((const char *)a + words[w].off);
		tcflag_t vb = *(const tcflag_t *)((const char *)b + words[w].off);

		for (i = 0; i < words[w].n; i++) {
			if ((va ^ vb) & words[w].tab[i].bit) {
				fprintf(f, " %c%s", vb & words[w].tab[i].bit ? '+' : '-',
					words[w].tab[i].name);
				any = 1;
			}
		}
	}
	if ((a->c_oflag ^ b->c_oflag) & TABDLY) {
		fprintf(f, " TAB%u", (b->c_oflag & TABDLY) / TAB1);
		any = 1;
	}
	if ((a->c_oflag ^ b->c_oflag) & CRDLY) {
		fprintf(f, " CR%u", (b->c_oflag & CRDLY) / CR1);
		any = 1;
	}
	for (i = 0; i < FZ_ARRAY_SIZE(fz_ccs); i++) {
		if (a->c_cc[fz_ccs[i].idx] != b->c_cc[fz_ccs[i].idx]) {
			fz_print_cc(f, fz_ccs[i].name, b->c_cc[fz_ccs[i].idx]);
			any = 1;
		}
	}
	if (a->c_cc[VMIN] != b->c_cc[VMIN] || a->c_cc[VTIME] != b->c_cc[VTIME]) {
		fprintf(f, " min=%u time=%u", b->c_cc[VMIN], b->c_cc[VTIME]);
		any = 1;
	}
	if (!any)
		fprintf(f, " (no change)");
	fprintf(f, "\n");
}

static inline const char *fz_flush_name(int arg)
{
	return arg == TCIFLUSH ? "TCIFLUSH" : arg == TCOFLUSH ? "TCOFLUSH" :
	       arg == TCIOFLUSH ? "TCIOFLUSH" : "(invalid)";
}

static inline const char *fz_xonc_name(int arg)
{
	return arg == TCOOFF ? "TCOOFF" : arg == TCOON ? "TCOON" : arg == TCIOFF ? "TCIOFF" :
	       arg == TCION ? "TCION" : "(invalid)";
}

static inline void fz_print_scenario(FILE *f, const struct fz_scenario *sc)
{
	const struct termios *cur = &sc->t0;
	unsigned int i;

	fprintf(f, "# scenario of seed %llu:\n", sc->seed);
	fz_print_termios(f, "#   termios", &sc->t0);
	fprintf(f, "#   winsize %ux%u, packet mode %s\n", sc->ws0.ws_row, sc->ws0.ws_col,
		sc->packet ? "on" : "off");
	for (i = 0; i < sc->nops; i++) {
		const struct fz_op *op = &sc->op[i];

		fprintf(f, "#   op %u: %s%s", i, fz_op_names[op->type], op->poll ? " (+poll)" : "");
		switch (op->type) {
		case FZ_STI:
		case FZ_MWRITE:
		case FZ_SWRITE:
			fprintf(f, " %u bytes%s\n", op->len,
				op->type == FZ_STI ? " ('|': master drained first)" : "");
			fz_print_bytes(f, "#       ", sc->pool + op->off, op->len,
				       op->type == FZ_STI ? sc->mark + op->off : NULL);
			break;
		case FZ_SREAD:
			fprintf(f, " %d\n", op->arg);
			break;
		case FZ_TERMIOS:
			fprintf(f, " on the %s, %s:", op->master ? "master" : "slave",
				op->arg == TCSANOW ? "TCSANOW" : op->arg == TCSADRAIN ?
				"TCSADRAIN" : "TCSAFLUSH");
			if (op->line >= 0)
				fprintf(f, " c_line=%d", op->line);
			fz_print_termios_diff(f, cur, &op->t);
			cur = &op->t;
			break;
		case FZ_FLUSH:
			fprintf(f, " %s\n", fz_flush_name(op->arg));
			break;
		case FZ_XONC:
			fprintf(f, " %s\n", fz_xonc_name(op->arg));
			break;
		case FZ_WINSZ:
			fprintf(f, " on the %s, %ux%u\n", op->master ? "master" : "slave",
				op->ws.ws_row, op->ws.ws_col);
			break;
		case FZ_PKT:
			fprintf(f, " %s\n", op->arg ? "on" : "off");
			break;
		default:
			fprintf(f, "\n");
			break;
		}
	}
}

#endif /* _MYPTS_LDISC_FUZZ_H */
