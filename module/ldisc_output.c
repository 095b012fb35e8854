// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc_output.c - output processing and the echo queue of the mypts line
 * discipline.
 *
 * Everything that reaches the driver passes here, under ld->out_lock, which
 * also owns the column state used by tab expansion and by erasing. Echoes
 * are queued by input processing (with column operations in between) and
 * written out in batches, so a program's output and a half-written echo
 * never interleave.
 */
#include <linux/ctype.h>
#include <linux/tty.h>

#include "module/ldisc.h"

/* Append one byte to the echo queue. Context: the input producer. */
static void mld_echo_put(struct mypts_ldisc *ld, u8 c)
{
	ld->ebuf[MLD_IDX(ld->ehead)] = c;
	/* The byte is stored before the head covering it is seen. */
	smp_wmb();
	ld->ehead++;
}

static u8 mld_echo_get(struct mypts_ldisc *ld, size_t i)
{
	/* Pairs with the barrier in mld_echo_put(). */
	smp_rmb();
	return ld->ebuf[MLD_IDX(i)];
}

/**
 * mld_echo_raw() - queue a byte to echo as it is
 * @ld: the discipline state
 * @c: the byte
 *
 * Context: input processing (the queue's only producer).
 */
void mld_echo_raw(struct mypts_ldisc *ld, u8 c)
{
	if (c == MLD_ECHO_OP)
		mld_echo_put(ld, MLD_ECHO_OP);
	mld_echo_put(ld, c);
}

/**
 * mld_echo_byte() - queue a byte to echo, as ^X under ECHOCTL
 * @ld: the discipline state
 * @c: the byte
 *
 * A control character other than tab is queued behind the escape, which
 * the output side prints as a caret and the character's letter. (The
 * kernel's ctype gives 0x80-0x9f no class: they are queued as they are.)
 *
 * Context: input processing.
 */
void mld_echo_byte(struct mypts_ldisc *ld, u8 c)
{
	if (c != MLD_ECHO_OP && L_ECHOCTL(ld->tty) && iscntrl(c) && c != '\t')
		mld_echo_put(ld, MLD_ECHO_OP);
	mld_echo_raw(ld, c);
}

/**
 * mld_echo_op() - queue a column operation
 * @ld: the discipline state
 * @op: MLD_ECHO_BACK_COL or MLD_ECHO_CANON_COL
 *
 * Context: input processing.
 */
void mld_echo_op(struct mypts_ldisc *ld, u8 op)
{
	mld_echo_put(ld, MLD_ECHO_OP);
	mld_echo_put(ld, op);
}

/**
 * mld_echo_erase_tab() - queue the backspaces that erase a tab
 * @ld: the discipline state
 * @n: columns of the characters between the tab and what came before it
 * @after_tab: those characters follow another tab, not the line's start
 *
 * Only @n modulo 8 matters; the output side adds the line's start column
 * unless @after_tab.
 *
 * Context: input processing.
 */
void mld_echo_erase_tab(struct mypts_ldisc *ld, unsigned int n, bool after_tab)
{
	mld_echo_op(ld, MLD_ECHO_ERASE_TAB);
	mld_echo_put(ld, (n & 7) | (after_tab ? 0x80 : 0));
}

/**
 * mld_echo_clear() - forget every queued echo
 * @ld: the discipline state
 *
 * Context: termios_rwsem held for writing; takes @ld->out_lock.
 */
void mld_echo_clear(struct mypts_ldisc *ld)
{
	mutex_lock(&ld->out_lock);
	ld->ehead = 0;
	ld->etail = 0;
	ld->emark = 0;
	ld->ecommit = 0;
	mutex_unlock(&ld->out_lock);
}

/*
 * One byte through OPOST, given @room bytes of room in the driver.
 * Return: the room used, 0 for a byte that vanished, -1 when it does not fit.
 * Context: under ld->out_lock.
 */
static int mld_out_char(struct tty_struct *tty, struct mypts_ldisc *ld, u8 c,
			int room)
{
	unsigned int n;

	if (room <= 0)
		return -1;
	if (c == '\n') {
		if (O_ONLRET(tty))
			ld->col = 0;
		if (O_ONLCR(tty)) {
			if (room < 2)
				return -1;
			ld->col = 0;
			ld->ccol = 0;
			tty->ops->write(tty, "\r\n", 2);
			return 2;
		}
		ld->ccol = ld->col;
	} else if (c == '\r') {
		if (O_ONOCR(tty) && !ld->col)
			return 0;
		if (O_OCRNL(tty)) {
			/* The newline it becomes is not mapped again. */
			c = '\n';
			if (O_ONLRET(tty)) {
				ld->col = 0;
				ld->ccol = 0;
			}
		} else {
			ld->col = 0;
			ld->ccol = 0;
		}
	} else if (c == '\t') {
		n = 8 - (ld->col & 7);
		if (O_TABDLY(tty) == XTABS) {
			if (room < n)
				return -1;
			ld->col += n;
			tty->ops->write(tty, "        ", n);
			return n;
		}
		ld->col += n;
	} else if (c == '\b') {
		if (ld->col)
			ld->col--;
	} else if (!iscntrl(c)) {
		if (O_OLCUC(tty))
			c = toupper(c);
		if (!(I_IUTF8(tty) && (c & 0xc0) == 0x80))
			ld->col++;
	}
	tty_put_char(tty, c);
	return 1;
}

/*
 * Write out the committed echoes as room allows. Echoes that cannot be
 * written while the queue is nearly full are dropped, oldest first.
 * Return: the room used. Context: under ld->out_lock.
 */
static int mld_echo_write(struct tty_struct *tty, struct mypts_ldisc *ld)
{
	int room, start;
	size_t tail = ld->etail;
	unsigned int n;
	u8 c, op;
	int used;

	room = tty_write_room(tty);
	start = room;
	while (MLD_IDX(ld->ecommit) != MLD_IDX(tail)) {
		c = mld_echo_get(ld, tail);
		if (c != MLD_ECHO_OP) {
			if (O_OPOST(tty)) {
				used = mld_out_char(tty, ld, c, room);
				if (used < 0)
					break;
				room -= used;
			} else {
				if (!room)
					break;
				tty_put_char(tty, c);
				room--;
			}
			tail++;
			continue;
		}
		/* An operation not wholly committed yet waits, untouched. */
		if (MLD_IDX(ld->ecommit) == MLD_IDX(tail + 1))
			goto out;
		op = mld_echo_get(ld, tail + 1);
		if (op == MLD_ECHO_ERASE_TAB) {
			if (MLD_IDX(ld->ecommit) == MLD_IDX(tail + 2))
				goto out;
			n = mld_echo_get(ld, tail + 2);
			/* Columns from the line's start, or from a tab stop. */
			if (!(n & 0x80))
				n += ld->ccol;
			n = 8 - (n & 7);
			if (n > room)
				break;
			room -= n;
			while (n--) {
				tty_put_char(tty, '\b');
				if (ld->col)
					ld->col--;
			}
			tail += 3;
		} else if (op == MLD_ECHO_CANON_COL) {
			ld->ccol = ld->col;
			tail += 2;
		} else if (op == MLD_ECHO_BACK_COL) {
			if (ld->col)
				ld->col--;
			tail += 2;
		} else if (op == MLD_ECHO_OP) {
			if (!room)
				break;
			tty_put_char(tty, MLD_ECHO_OP);
			ld->col++;
			room--;
			tail += 2;
		} else {
			/* A control character as caret notation. */
			if (room < 2)
				break;
			tty_put_char(tty, '^');
			tty_put_char(tty, op ^ 0x40);
			ld->col += 2;
			room -= 2;
			tail += 2;
		}
	}

	/* Out of room with the queue nearly full: drop the oldest. */
	while (ld->ecommit > tail && ld->ecommit - tail >= MLD_ECHO_DROP_MARK) {
		if (mld_echo_get(ld, tail) != MLD_ECHO_OP)
			tail++;
		else if (mld_echo_get(ld, tail + 1) == MLD_ECHO_ERASE_TAB)
			tail += 3;
		else
			tail += 2;
	}
out:
	ld->etail = tail;
	return start - room;
}

/* Context: process context, after ld->out_lock was dropped. */
static void mld_flush_chars(struct tty_struct *tty, int written)
{
	if (written && tty->ops->flush_chars)
		tty->ops->flush_chars(tty);
}

/**
 * mld_echo_commit() - end of one input byte's echo
 * @tty: the tty
 *
 * Echoes collect while input arrives; they are written out when a whole
 * batch is pending, and otherwise at the end of the receive call.
 *
 * Context: input processing, termios_rwsem held; takes ld->out_lock.
 */
void mld_echo_commit(struct tty_struct *tty)
{
	struct mypts_ldisc *ld = tty->disc_data;
	size_t pending, before;
	int written;

	mutex_lock(&ld->out_lock);
	ld->emark = ld->ehead;
	before = ld->ecommit - ld->etail;
	pending = ld->ehead - ld->etail;
	if (pending < MLD_ECHO_BATCH ||
	    pending % MLD_ECHO_BATCH > before % MLD_ECHO_BATCH) {
		mutex_unlock(&ld->out_lock);
		return;
	}
	ld->ecommit = ld->ehead;
	written = mld_echo_write(tty, ld);
	mutex_unlock(&ld->out_lock);
	mld_flush_chars(tty, written);
}

/**
 * mld_echo_process() - write out echoes of finished input bytes
 * @tty: the tty
 *
 * Called when output may proceed again (restart, a writer arriving).
 *
 * Context: termios_rwsem held (read or write); takes ld->out_lock.
 */
void mld_echo_process(struct tty_struct *tty)
{
	struct mypts_ldisc *ld = tty->disc_data;
	int written;

	if (ld->emark == ld->etail)
		return;
	mutex_lock(&ld->out_lock);
	ld->ecommit = ld->emark;
	written = mld_echo_write(tty, ld);
	mutex_unlock(&ld->out_lock);
	mld_flush_chars(tty, written);
}

/**
 * mld_echo_flush() - write out every queued echo, at the end of a receive
 * @tty: the tty
 *
 * Context: input processing, termios_rwsem held; takes ld->out_lock.
 */
void mld_echo_flush(struct tty_struct *tty)
{
	struct mypts_ldisc *ld = tty->disc_data;

	if ((!L_ECHO(tty) && !L_ECHONL(tty)) || ld->ecommit == ld->ehead)
		return;
	mutex_lock(&ld->out_lock);
	ld->ecommit = ld->ehead;
	mld_echo_write(tty, ld);
	mutex_unlock(&ld->out_lock);
}

/*
 * The run of bytes at @buf that OPOST leaves alone, written in one call.
 * Return: bytes taken, 0 if the first needs translating or there is no room,
 * or the driver's error. Context: takes ld->out_lock.
 */
static ssize_t mld_output_run(struct tty_struct *tty, struct mypts_ldisc *ld,
			      const u8 *buf, size_t nr)
{
	ssize_t written;
	int room;
	size_t i;
	u8 c;

	mutex_lock(&ld->out_lock);
	room = tty_write_room(tty);
	if (room <= 0) {
		mutex_unlock(&ld->out_lock);
		return room;
	}
	nr = min_t(size_t, nr, room);
	for (i = 0; i < nr; i++) {
		c = buf[i];
		if (c == '\n') {
			if (O_ONLRET(tty))
				ld->col = 0;
			if (O_ONLCR(tty))
				break;
			ld->ccol = ld->col;
		} else if (c == '\r') {
			if ((O_ONOCR(tty) && !ld->col) || O_OCRNL(tty))
				break;
			ld->col = 0;
			ld->ccol = 0;
		} else if (c == '\t') {
			break;
		} else if (c == '\b') {
			if (ld->col)
				ld->col--;
		} else if (!iscntrl(c)) {
			if (O_OLCUC(tty))
				break;
			if (!(I_IUTF8(tty) && (c & 0xc0) == 0x80))
				ld->col++;
		}
	}
	written = i ? tty->ops->write(tty, buf, i) : 0;
	mutex_unlock(&ld->out_lock);
	return written;
}

/**
 * mld_output() - write bytes through OPOST as far as the driver takes them
 * @tty: the tty
 * @buf: the bytes
 * @nr: how many
 * @done: set to the bytes consumed (a translated byte counts once)
 *
 * Context: a writer, termios_rwsem held for reading; takes ld->out_lock.
 * Return: 0, or the driver's error.
 */
int mld_output(struct tty_struct *tty, const u8 *buf, size_t nr, size_t *done)
{
	struct mypts_ldisc *ld = tty->disc_data;
	ssize_t n;
	int used;

	*done = 0;
	while (*done < nr) {
		n = mld_output_run(tty, ld, buf + *done, nr - *done);
		if (n == -EAGAIN)
			break;
		if (n < 0)
			return n;
		*done += n;
		if (*done == nr)
			break;
		mutex_lock(&ld->out_lock);
		used = mld_out_char(tty, ld, buf[*done], tty_write_room(tty));
		mutex_unlock(&ld->out_lock);
		if (used < 0)
			break;
		(*done)++;
	}
	if (tty->ops->flush_chars)
		tty->ops->flush_chars(tty);
	return 0;
}

/**
 * mld_output_raw() - write bytes untranslated as far as the driver takes them
 * @tty: the tty
 * @buf: the bytes
 * @nr: how many
 * @done: set to the bytes written
 *
 * Context: a writer, termios_rwsem held for reading; takes ld->out_lock.
 * Return: 0, or the driver's error.
 */
int mld_output_raw(struct tty_struct *tty, const u8 *buf, size_t nr,
		   size_t *done)
{
	struct mypts_ldisc *ld = tty->disc_data;
	ssize_t n;

	*done = 0;
	while (*done < nr) {
		mutex_lock(&ld->out_lock);
		n = tty->ops->write(tty, buf + *done, nr - *done);
		mutex_unlock(&ld->out_lock);
		if (n < 0)
			return n;
		if (!n)
			break;
		*done += n;
	}
	return 0;
}
