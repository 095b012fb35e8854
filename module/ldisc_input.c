// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc_input.c - input processing of the mypts line discipline.
 *
 * Bytes from the driver pass the input flags (ISTRIP, IUCLC, the CR/NL
 * maps), flow control (IXON, IXANY), signal characters (ISIG) and, in
 * canonical mode, line editing, then land in the input queue, echoed as
 * the local flags ask. One receive call runs at a time (the flip buffer's
 * lock, or TIOCSTI's exclusive hold of it) with termios_rwsem held for
 * reading, so this is the queue's only producer.
 */
#include <linux/ctype.h>
#include <linux/jiffies.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/tty.h>
#include <linux/tty_flip.h>

#include "module/ldisc.h"

static void mld_put(struct mypts_ldisc *ld, u8 c)
{
	ld->rbuf[MLD_IDX(ld->rhead)] = c;
	ld->rhead++;
}

static bool mld_utf8_tail(struct tty_struct *tty, u8 c)
{
	return I_IUTF8(tty) && (c & 0xc0) == 0x80;
}

/* Close an ECHOPRT erase sequence with its slash. Context: producer. */
static void mld_end_erasing(struct mypts_ldisc *ld)
{
	if (ld->erasing) {
		mld_echo_raw(ld, '/');
		ld->erasing = 0;
	}
}

/*
 * The columns the characters after the last tab of the line take.
 * Context: producer, termios_rwsem held for reading.
 */
static void mld_echo_tab_erase(struct tty_struct *tty, struct mypts_ldisc *ld)
{
	size_t i = ld->rhead;
	unsigned int cols = 0;
	bool after_tab = false;
	u8 c;

	while (MLD_IDX(i) != MLD_IDX(ld->chead)) {
		c = mld_rbyte(ld, --i);
		if (c == '\t') {
			after_tab = true;
			break;
		}
		if (iscntrl(c)) {
			if (L_ECHOCTL(tty))
				cols += 2;
		} else if (!mld_utf8_tail(tty, c)) {
			cols++;
		}
	}
	mld_echo_erase_tab(ld, cols, after_tab);
}

/*
 * Echo the removal of character @c, @len bytes long, starting at @at.
 * Context: producer, termios_rwsem held for reading.
 */
static void mld_echo_erased(struct tty_struct *tty, struct mypts_ldisc *ld,
			    u8 c, size_t at, size_t len, bool werase_or_kill)
{
	if (L_ECHOPRT(tty)) {
		if (!ld->erasing) {
			mld_echo_raw(ld, '\\');
			ld->erasing = 1;
		}
		mld_echo_byte(ld, c);
		/* The rest of a multibyte character, printed in place. */
		while (--len) {
			mld_echo_raw(ld, mld_rbyte(ld, ++at));
			mld_echo_op(ld, MLD_ECHO_BACK_COL);
		}
	} else if (!werase_or_kill && !L_ECHOE(tty)) {
		mld_echo_byte(ld, ERASE_CHAR(tty));
	} else if (c == '\t') {
		mld_echo_tab_erase(tty, ld);
	} else {
		/* A caret pair takes two columns, other bytes one. */
		if (iscntrl(c) && L_ECHOCTL(tty)) {
			mld_echo_raw(ld, '\b');
			mld_echo_raw(ld, ' ');
			mld_echo_raw(ld, '\b');
		}
		if (!iscntrl(c) || L_ECHOCTL(tty)) {
			mld_echo_raw(ld, '\b');
			mld_echo_raw(ld, ' ');
			mld_echo_raw(ld, '\b');
		}
	}
}

/*
 * VERASE, VWERASE or VKILL in canonical mode: take characters back from the
 * line being edited (never past its start), echoing as ECHOE, ECHOK, ECHOKE
 * and ECHOPRT say. A word is a run of letters, digits and underscores, as
 * BSD's ALTWERASE has it. Context: producer, termios_rwsem held for reading.
 */
static void mld_erase(struct tty_struct *tty, struct mypts_ldisc *ld, u8 key)
{
	bool erase = key == ERASE_CHAR(tty);
	bool werase = !erase && key == WERASE_CHAR(tty);
	unsigned int word = 0;
	size_t at, len;
	u8 c;

	if (ld->rhead == ld->chead)
		return;
	if (!erase && !werase) {
		/* VKILL */
		if (!L_ECHO(tty)) {
			ld->rhead = ld->chead;
			return;
		}
		if (!L_ECHOK(tty) || !L_ECHOKE(tty) || !L_ECHOE(tty)) {
			ld->rhead = ld->chead;
			mld_end_erasing(ld);
			mld_echo_byte(ld, KILL_CHAR(tty));
			if (L_ECHOK(tty))
				mld_echo_raw(ld, '\n');
			return;
		}
	}

	while (MLD_IDX(ld->rhead) != MLD_IDX(ld->chead)) {
		/* Back over one character, all of it if UTF-8. */
		at = ld->rhead;
		do {
			c = mld_rbyte(ld, --at);
		} while (mld_utf8_tail(tty, c) && MLD_IDX(at) != MLD_IDX(ld->chead));
		if (mld_utf8_tail(tty, c))
			break;
		if (werase) {
			if (isalnum(c) || c == '_')
				word++;
			else if (word)
				break;
		}
		len = ld->rhead - at;
		/* A tab's erase measures the line up to it: move first. */
		ld->rhead = at;
		if (L_ECHO(tty))
			mld_echo_erased(tty, ld, c, at, len, !erase);
		if (erase)
			break;
	}
	if (ld->rhead == ld->chead && L_ECHO(tty))
		mld_end_erasing(ld);
}

/* Signal the foreground process group. Context: process context. */
static void mld_kill_fg(struct tty_struct *tty, int sig)
{
	struct pid *pgrp = tty_get_pgrp(tty);

	if (pgrp) {
		kill_pgrp(pgrp, sig, 1);
		put_pid(pgrp);
	}
}

/*
 * A signal character: signal, and unless NOFLSH drop pending echoes, the
 * driver's output and all input, telling a packet-mode master.
 * Context: input processing; termios_rwsem held for reading, taken for
 * writing for the flush (so no reader is inside) and back.
 */
static void mld_isig(struct tty_struct *tty, struct mypts_ldisc *ld, int sig)
{
	lockdep_assert_held_read(&tty->termios_rwsem);
	if (L_NOFLSH(tty)) {
		mld_kill_fg(tty, sig);
		return;
	}
	up_read(&tty->termios_rwsem);
	down_write(&tty->termios_rwsem);
	mld_kill_fg(tty, sig);
	mld_echo_clear(ld);
	tty_driver_flush_buffer(tty);
	mld_reset_input(ld);
	mld_pkt_flushread(tty);
	up_write(&tty->termios_rwsem);
	down_read(&tty->termios_rwsem);
}

/*
 * VINTR, VQUIT, VSUSP under ISIG. Context: producer, termios_rwsem held for
 * reading (see mld_isig()); takes tty->flow.lock and ld->out_lock.
 */
static void mld_signal_char(struct tty_struct *tty, struct mypts_ldisc *ld,
			    int sig, u8 c)
{
	mld_isig(tty, ld, sig);
	if (I_IXON(tty))
		start_tty(tty);
	if (L_ECHO(tty)) {
		mld_echo_byte(ld, c);
		mld_echo_commit(tty);
	} else {
		mld_echo_process(tty);
	}
}

/*
 * VSTART/VSTOP under IXON. Return: the byte was one of them (and is
 * consumed); acted on unless the lookahead did so already.
 * Context: producer; takes tty->flow.lock, and ld->out_lock to restart.
 */
static bool mld_flow_char(struct tty_struct *tty, u8 c, bool seen)
{
	if (c != START_CHAR(tty) && c != STOP_CHAR(tty))
		return false;
	if (seen)
		return true;
	if (c == START_CHAR(tty)) {
		start_tty(tty);
		mld_echo_process(tty);
	} else {
		stop_tty(tty);
	}
	return true;
}

/*
 * IXANY: any byte restarts output stopped by VSTOP (not by TCOOFF).
 * Context: producer; takes tty->flow.lock and ld->out_lock.
 */
static void mld_ixany(struct tty_struct *tty)
{
	if (tty->flow.stopped && !tty->flow.tco_stopped && I_IXON(tty) &&
	    I_IXANY(tty)) {
		start_tty(tty);
		mld_echo_process(tty);
	}
}

/*
 * Store a byte that ends a line: newline, EOF (stored as 0), EOL, EOL2.
 * Context: producer, termios_rwsem held for reading.
 */
static void mld_end_line(struct tty_struct *tty, struct mypts_ldisc *ld, u8 c)
{
	set_bit(MLD_IDX(ld->rhead), ld->eol);
	mld_put(ld, c);
	/* The line's bytes and its mark before the head (readers acquire). */
	smp_store_release(&ld->chead, ld->rhead);
	kill_fasync(&tty->fasync, SIGIO, POLL_IN);
	wake_up_interruptible_poll(&tty->read_wait, EPOLLIN | EPOLLRDNORM);
}

/*
 * Echo of an ordinary byte; the line's first also records its column.
 * Context: producer; takes ld->out_lock.
 */
static void mld_echo_input(struct tty_struct *tty, struct mypts_ldisc *ld,
			   u8 c)
{
	mld_end_erasing(ld);
	if (c == '\n') {
		mld_echo_raw(ld, '\n');
	} else {
		if (ld->chead == ld->rhead)
			mld_echo_op(ld, MLD_ECHO_CANON_COL);
		mld_echo_byte(ld, c);
	}
	mld_echo_commit(tty);
}

/*
 * Under PARMRK a literal 0xff is doubled, to tell it from a mark.
 * Context: producer.
 */
static void mld_store(struct tty_struct *tty, struct mypts_ldisc *ld, u8 c)
{
	if (c == 0xff && I_PARMRK(tty))
		mld_put(ld, c);
	mld_put(ld, c);
}

/*
 * Canonical-mode handling of a special byte. Return: it was consumed.
 * Context: producer, termios_rwsem held for reading; takes ld->out_lock.
 */
static bool mld_canon_char(struct tty_struct *tty, struct mypts_ldisc *ld,
			   u8 c)
{
	size_t i;

	if (c == ERASE_CHAR(tty) || c == KILL_CHAR(tty) ||
	    (c == WERASE_CHAR(tty) && L_IEXTEN(tty))) {
		mld_erase(tty, ld, c);
		mld_echo_commit(tty);
		return true;
	}
	if (c == LNEXT_CHAR(tty) && L_IEXTEN(tty)) {
		ld->lnext = 1;
		if (L_ECHO(tty)) {
			mld_end_erasing(ld);
			if (L_ECHOCTL(tty)) {
				mld_echo_raw(ld, '^');
				mld_echo_raw(ld, '\b');
				mld_echo_commit(tty);
			}
		}
		return true;
	}
	if (c == REPRINT_CHAR(tty) && L_ECHO(tty) && L_IEXTEN(tty)) {
		mld_end_erasing(ld);
		mld_echo_byte(ld, c);
		mld_echo_raw(ld, '\n');
		for (i = ld->chead; MLD_IDX(i) != MLD_IDX(ld->rhead); i++)
			mld_echo_byte(ld, mld_rbyte(ld, i));
		mld_echo_commit(tty);
		return true;
	}
	if (c == '\n') {
		if (L_ECHO(tty) || L_ECHONL(tty)) {
			mld_echo_raw(ld, '\n');
			mld_echo_commit(tty);
		}
		mld_end_line(tty, ld, c);
		return true;
	}
	if (c == EOF_CHAR(tty)) {
		mld_end_line(tty, ld, __DISABLED_CHAR);
		return true;
	}
	if (c == EOL_CHAR(tty) || (c == EOL2_CHAR(tty) && L_IEXTEN(tty))) {
		if (L_ECHO(tty)) {
			if (ld->chead == ld->rhead)
				mld_echo_op(ld, MLD_ECHO_CANON_COL);
			mld_echo_byte(ld, c);
			mld_echo_commit(tty);
		}
		if (c == 0xff && I_PARMRK(tty))
			mld_put(ld, c);
		mld_end_line(tty, ld, c);
		return true;
	}
	return false;
}

/*
 * A byte found in ld->special. Precedence: flow control, then signals,
 * then the IXANY restart, the CR/NL maps and canonical editing.
 * Context: producer, termios_rwsem held for reading (dropped and retaken
 * by a signal's flush); takes tty->flow.lock and ld->out_lock.
 */
static void mld_special_char(struct tty_struct *tty, struct mypts_ldisc *ld,
			     u8 c, bool seen)
{
	if (I_IXON(tty) && mld_flow_char(tty, c, seen))
		return;
	if (L_ISIG(tty)) {
		int sig = 0;

		if (c == INTR_CHAR(tty))
			sig = SIGINT;
		else if (c == QUIT_CHAR(tty))
			sig = SIGQUIT;
		else if (c == SUSP_CHAR(tty))
			sig = SIGTSTP;
		if (sig) {
			mld_signal_char(tty, ld, sig, c);
			return;
		}
	}
	mld_ixany(tty);
	if (c == '\r') {
		if (I_IGNCR(tty))
			return;
		if (I_ICRNL(tty))
			c = '\n';
	} else if (c == '\n' && I_INLCR(tty)) {
		c = '\r';
	}
	if (ld->icanon && mld_canon_char(tty, ld, c))
		return;
	if (L_ECHO(tty))
		mld_echo_input(tty, ld, c);
	mld_store(tty, ld, c);
}

/* A byte with no special meaning. Context: producer; takes ld->out_lock. */
static void mld_plain_char(struct tty_struct *tty, struct mypts_ldisc *ld,
			   u8 c)
{
	mld_ixany(tty);
	if (L_ECHO(tty)) {
		mld_end_erasing(ld);
		if (ld->chead == ld->rhead)
			mld_echo_op(ld, MLD_ECHO_CANON_COL);
		mld_echo_byte(ld, c);
		mld_echo_commit(tty);
	}
	mld_store(tty, ld, c);
}

/*
 * A break, a parity or framing error, or an overrun from the driver.
 * Context: producer, termios_rwsem held for reading (see mld_isig()).
 */
static void mld_flagged_char(struct tty_struct *tty, struct mypts_ldisc *ld,
			     u8 c, u8 flag)
{
	switch (flag) {
	case TTY_BREAK:
		if (I_IGNBRK(tty))
			return;
		if (I_BRKINT(tty)) {
			mld_isig(tty, ld, SIGINT);
			return;
		}
		if (I_PARMRK(tty)) {
			mld_put(ld, 0xff);
			mld_put(ld, 0);
		}
		mld_put(ld, 0);
		return;
	case TTY_PARITY:
	case TTY_FRAME:
		if (!I_INPCK(tty)) {
			mld_put(ld, c);
			return;
		}
		if (I_IGNPAR(tty))
			return;
		if (I_PARMRK(tty)) {
			mld_put(ld, 0xff);
			mld_put(ld, 0);
			mld_put(ld, c);
		} else {
			mld_put(ld, 0);
		}
		return;
	case TTY_OVERRUN:
		ld->overruns++;
		if (time_after(jiffies, ld->overrun_at + HZ) ||
		    time_after(ld->overrun_at, jiffies)) {
			pr_warn("%s: %u input overrun(s)\n", tty_name(tty),
				ld->overruns);
			ld->overrun_at = jiffies;
			ld->overruns = 0;
		}
		return;
	default:
		pr_err("%s: unknown flag %u\n", tty_name(tty), flag);
	}
}

static u8 mld_input_map(struct tty_struct *tty, u8 c)
{
	if (I_ISTRIP(tty))
		c &= 0x7f;
	if (I_IUCLC(tty) && L_IEXTEN(tty))
		c = tolower(c);
	return c;
}

/*
 * Cooked input: @seen says the lookahead acted on these bytes' VSTART/VSTOP.
 * Context: producer, termios_rwsem held for reading.
 */
static void mld_cooked(struct tty_struct *tty, struct mypts_ldisc *ld,
		       const u8 *cp, const u8 *fp, size_t count, bool seen)
{
	u8 flag = TTY_NORMAL;
	u8 c;

	while (count--) {
		c = *cp++;
		if (fp)
			flag = *fp++;
		if (ld->lnext) {
			ld->lnext = 0;
			if (flag == TTY_NORMAL)
				mld_plain_char(tty, ld, mld_input_map(tty, c));
			else
				mld_flagged_char(tty, ld, c, flag);
			continue;
		}
		if (flag != TTY_NORMAL) {
			mld_flagged_char(tty, ld, c, flag);
			continue;
		}
		c = mld_input_map(tty, c);
		if (L_EXTPROC(tty))
			mld_put(ld, c);
		else if (test_bit(c, ld->special))
			mld_special_char(tty, ld, c, seen);
		else
			mld_plain_char(tty, ld, c);
	}
}

/*
 * While the tty closes only flow control matters: output must not stay
 * stopped on a port that is draining. Context: producer; takes
 * tty->flow.lock and ld->out_lock.
 */
static void mld_closing(struct tty_struct *tty, const u8 *cp, const u8 *fp,
			size_t count, bool seen)
{
	u8 flag = TTY_NORMAL;
	u8 c;

	while (count--) {
		if (fp)
			flag = *fp++;
		/*
		 * As N_TTY: a flagged byte does not advance the data, so the
		 * bytes after it are looked at one place early.
		 */
		if (flag != TTY_NORMAL)
			continue;
		c = *cp++;
		if (!I_IXON(tty))
			continue;
		c = mld_input_map(tty, c);
		if (!mld_flow_char(tty, c, seen) && tty->flow.stopped &&
		    !tty->flow.tco_stopped && I_IXANY(tty) &&
		    c != INTR_CHAR(tty) && c != QUIT_CHAR(tty) &&
		    c != SUSP_CHAR(tty)) {
			start_tty(tty);
			mld_echo_process(tty);
		}
	}
}

/*
 * Raw input: stored as it is, flags still honoured.
 * Context: producer, termios_rwsem held for reading.
 */
static void mld_raw(struct tty_struct *tty, struct mypts_ldisc *ld,
		    const u8 *cp, const u8 *fp, size_t count)
{
	size_t n;

	if (ld->real_raw) {
		while (count) {
			n = min_t(size_t, count, MLD_QSIZE - MLD_IDX(ld->rhead));
			memcpy(&ld->rbuf[MLD_IDX(ld->rhead)], cp, n);
			ld->rhead += n;
			cp += n;
			count -= n;
		}
		return;
	}
	for (; count; count--, cp++) {
		if (!fp || *fp == TTY_NORMAL)
			mld_put(ld, *cp);
		else
			mld_flagged_char(tty, ld, *cp, *fp);
		if (fp)
			fp++;
	}
}

/*
 * Process @count bytes that fit in the queue.
 * Context: producer, termios_rwsem held for reading.
 */
static void mld_process(struct tty_struct *tty, struct mypts_ldisc *ld,
			const u8 *cp, const u8 *fp, size_t count)
{
	bool premap = I_ISTRIP(tty) || (I_IUCLC(tty) && L_IEXTEN(tty));
	size_t seen = min(ld->la_count, count);

	if (ld->real_raw || ld->raw || (L_EXTPROC(tty) && !premap)) {
		mld_raw(tty, ld, cp, fp, count);
	} else if (tty->closing && !L_EXTPROC(tty)) {
		mld_closing(tty, cp, fp, seen, true);
		mld_closing(tty, cp + seen, fp ? fp + seen : NULL,
			    count - seen, false);
	} else {
		mld_cooked(tty, ld, cp, fp, seen, true);
		mld_cooked(tty, ld, cp + seen, fp ? fp + seen : NULL,
			   count - seen, false);
		mld_echo_flush(tty);
		if (tty->ops->flush_chars)
			tty->ops->flush_chars(tty);
	}
	/*
	 * A signal character's flush zeroed la_count meanwhile, so this wraps
	 * and later VSTART/VSTOP count as seen by the lookahead: N_TTY does
	 * the same, and programs can observe it, so it is kept.
	 */
	ld->la_count -= seen;

	if (ld->icanon && !L_EXTPROC(tty))
		return;
	/* Raw-mode readers see the bytes from here on. */
	smp_store_release(&ld->rcommit, ld->rhead);
	if (mld_queued(ld)) {
		kill_fasync(&tty->fasync, SIGIO, POLL_IN);
		wake_up_interruptible_poll(&tty->read_wait, EPOLLIN | EPOLLRDNORM);
	}
}

/**
 * mld_receive() - take bytes from the driver
 * @tty: the tty
 * @cp: the bytes
 * @fp: their TTY_* flags, or NULL for all TTY_NORMAL
 * @count: how many
 * @flow: the caller keeps what is not taken (receive_buf2) and waits for
 *	a restart; otherwise what does not fit is lost
 *
 * Takes as much as fits in the queue. A canonical line that cannot end
 * because the queue is full keeps taking bytes, each one replacing the
 * line's last, so a newline can always end it. Throttles the driver when
 * room runs low. The first input allocates the queues; when that fails
 * nothing is taken, as with a full queue (the flip buffer keeps the bytes
 * and is restarted later; a receive_buf caller loses them).
 *
 * Context: process context; one call at a time (the flip buffer's lock).
 * Takes termios_rwsem for reading.
 * Return: the number of bytes taken.
 */
size_t mld_receive(struct tty_struct *tty, const u8 *cp, const u8 *fp,
		   size_t count, bool flow)
{
	struct mypts_ldisc *ld = tty->disc_data;
	bool overflow = false;
	size_t taken = 0, n;
	ssize_t room;
	size_t tail;

	down_read(&tty->termios_rwsem);
	if (unlikely(!ld->rbuf) && count && !mld_alloc_queues(ld)) {
		/* As a full queue: the flip buffer keeps the bytes. */
		up_read(&tty->termios_rwsem);
		return 0;
	}
	do {
		/* Pairs with the reader's release of rtail. */
		tail = smp_load_acquire(&ld->rtail);
		room = MLD_QSIZE - (ld->rhead - tail);
		if (I_PARMRK(tty))
			room = (room + 2) / 3;
		room--;
		if (room <= 0) {
			overflow = ld->icanon && ld->chead == tail;
			if (overflow && room < 0)
				ld->rhead--;
			room = overflow;
			/*
			 * Only a caller that keeps the rest records the stop: a
			 * TIOCSTI finding the queue full must not clear the
			 * flip worker's, or nobody would restart the worker.
			 */
			if (flow)
				WRITE_ONCE(ld->no_room, !room);
		} else {
			overflow = false;
		}
		n = min_t(size_t, count, room);
		if (!n)
			break;
		/* An overflowing line ignores parity errors. */
		if (!overflow || !fp || *fp != TTY_PARITY)
			mld_process(tty, ld, cp, fp, n);
		cp += n;
		if (fp)
			fp += n;
		count -= n;
		taken += n;
	} while (!test_bit(TTY_LDISC_CHANGING, &tty->flags));

	tty->receive_room = room;
	if (tty->driver->type == TTY_DRIVER_TYPE_PTY) {
		if (overflow)
			mld_unthrottle_overflow(tty);
	} else {
		mld_check_throttle(tty);
	}
	if (unlikely(READ_ONCE(ld->no_room))) {
		/* A reader may have emptied the queue before no_room was set. */
		smp_mb();
		if (!mld_readable(ld))
			mld_kick(tty);
	}
	up_read(&tty->termios_rwsem);
	return taken;
}

/**
 * mld_lookahead() - see bytes the queue has no room for yet
 * @tty: the tty
 * @cp: the bytes
 * @fp: their flags, or NULL
 * @count: how many
 *
 * VSTART and VSTOP act at once, even while input waits; they are not acted
 * on again when the bytes are taken later.
 *
 * Context: the flip buffer worker, after mld_receive() took less.
 */
void mld_lookahead(struct tty_struct *tty, const u8 *cp, const u8 *fp,
		   size_t count)
{
	struct mypts_ldisc *ld = tty->disc_data;

	ld->la_count += count;
	if (!I_IXON(tty))
		return;
	for (; count; count--, cp++) {
		if (!fp || *fp++ == TTY_NORMAL)
			mld_flow_char(tty, *cp, false);
	}
}
