// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc_rw.c - read and write of the mypts line discipline.
 *
 * A read takes whole lines in canonical mode (never more than one) and
 * follows VMIN/VTIME otherwise; a background reader is stopped with SIGTTIN
 * or refused with EIO as POSIX job control asks. A write goes through OPOST
 * and waits for room, as long as the driver needs.
 */
#include <linux/major.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/tty.h>
#include <linux/wait.h>

#include "module/ldisc.h"

static bool mld_sig_ignored(int sig)
{
	return sigismember(&current->blocked, sig) ||
	       current->sighand->action[sig - 1].sa.sa_handler == SIG_IGN;
}

/*
 * Would a signal to @pgrp find nobody to continue it? A group is orphaned
 * when no member has a parent in another group of the same session.
 * Context: under rcu_read_lock().
 */
static bool mld_pgrp_orphaned(struct pid *pgrp)
{
	struct task_struct *p, *parent;

	do_each_pid_task(pgrp, PIDTYPE_PGID, p) {
		parent = rcu_dereference(p->real_parent);
		if ((p->exit_state && thread_group_empty(p)) ||
		    is_global_init(parent))
			continue;
		if (task_pgrp(parent) != pgrp &&
		    task_session(parent) == task_session(p))
			return false;
	} while_each_pid_task(pgrp, PIDTYPE_PGID, p);
	return true;
}

/*
 * /dev/console and /dev/tty0 are exempt from job control (the tty core's
 * console_fops; N_TTY recognises them by their write_iter, which is private).
 */
static bool mld_console_file(struct file *file)
{
	dev_t dev = file_inode(file)->i_rdev;

	return dev == MKDEV(TTYAUX_MAJOR, 1) || dev == MKDEV(TTY_MAJOR, 0);
}

/*
 * Job control for a reader: a member of the tty's session outside the
 * foreground group gets SIGTTIN, or EIO if it ignores or blocks SIGTTIN or
 * its group is orphaned. The tty core exports the SIGTTOU half only.
 * Context: process context; takes tty->ctrl.lock.
 * Return: 0 to go on, -EIO, or -ERESTARTSYS with SIGTTIN sent.
 */
static int mld_read_allowed(struct tty_struct *tty)
{
	struct pid *pgrp, *fg;
	unsigned long flags;
	int ret = 0;

	if (current->signal->tty != tty)
		return 0;
	rcu_read_lock();
	pgrp = task_pgrp(current);
	spin_lock_irqsave(&tty->ctrl.lock, flags);
	fg = tty->ctrl.pgrp;
	spin_unlock_irqrestore(&tty->ctrl.lock, flags);
	if (fg && pgrp != fg) {
		if (mld_sig_ignored(SIGTTIN) || mld_pgrp_orphaned(pgrp)) {
			ret = -EIO;
		} else {
			kill_pgrp(pgrp, SIGTTIN, 1);
			set_thread_flag(TIF_SIGPENDING);
			ret = -ERESTARTSYS;
		}
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Is there something for a reader? A complete line in canonical mode,
 * otherwise @amt bytes. Context: a reader; a snapshot.
 */
static bool mld_input_ready(struct tty_struct *tty, size_t amt)
{
	struct mypts_ldisc *ld = tty->disc_data;

	if (ld->icanon && !L_EXTPROC(tty))
		return ld->chead != ld->rtail;
	return ld->rcommit - ld->rtail >= amt;
}

/*
 * The bytes a reader takes leave no copy behind when they may be secret.
 * Context: a reader, ld->read_lock and termios_rwsem held.
 */
static void mld_take(struct tty_struct *tty, struct mypts_ldisc *ld, u8 *to,
		     size_t tail, size_t n)
{
	bool wipe = L_ICANON(tty) && !L_ECHO(tty);
	size_t first = min_t(size_t, n, MLD_QSIZE - MLD_IDX(tail));

	/* Nothing to take may mean no queue yet. */
	if (!n)
		return;
	memcpy(to, &ld->rbuf[MLD_IDX(tail)], first);
	if (wipe)
		memset(&ld->rbuf[MLD_IDX(tail)], 0, first);
	if (n > first) {
		memcpy(to + first, ld->rbuf, n - first);
		if (wipe)
			memset(ld->rbuf, 0, n - first);
	}
}

/*
 * Raw-mode copy into @*kb, up to @*nr bytes, without crossing the queue's
 * end. Return: more bytes remain (under EXTPROC a lone EOF byte ends the
 * read as if nothing came). Context: a reader, ld->read_lock and
 * termios_rwsem held.
 */
static bool mld_copy_raw(struct tty_struct *tty, u8 **kb, size_t *nr)
{
	struct mypts_ldisc *ld = tty->disc_data;
	/* Pairs with the producer's release: the bytes are there. */
	size_t head = smp_load_acquire(&ld->rcommit);
	size_t tail = ld->rtail;
	size_t n;
	bool lone_eof;

	n = min3(head - tail, MLD_QSIZE - MLD_IDX(tail), *nr);
	if (!n)
		return false;
	lone_eof = n == 1 && mld_rbyte(ld, tail) == EOF_CHAR(tty);
	mld_take(tty, ld, *kb, tail, n);
	/* Pairs with the producer's acquire of rtail. */
	smp_store_release(&ld->rtail, tail + n);
	/* Consumed but not returned: the read ends with what it had. */
	if (L_EXTPROC(tty) && ld->icanon && lone_eof && head == ld->rtail)
		return false;
	*kb += n;
	*nr -= n;
	return head != ld->rtail;
}

/*
 * Canonical copy: up to the end of the first line, or @*nr bytes. An EOF
 * marker ends the line without being copied. Return: more of this line
 * remains to copy. Context: a reader, ld->read_lock and termios_rwsem held.
 */
static bool mld_copy_line(struct tty_struct *tty, u8 **kb, size_t *nr)
{
	struct mypts_ldisc *ld = tty->disc_data;
	size_t head, tail, avail, n, i;
	bool found = false;

	if (!*nr)
		return false;
	/* Pairs with the producer's release: the lines are there. */
	head = smp_load_acquire(&ld->chead);
	tail = ld->rtail;
	avail = min(*nr, head - tail);
	/* Find the line's end among the bytes we may copy. */
	for (i = 0; i < avail; i++) {
		if (test_bit(MLD_IDX(tail + i), ld->eol)) {
			found = true;
			break;
		}
	}
	n = i;
	if (found) {
		/* The terminator is consumed; it is copied unless it is EOF. */
		if (mld_rbyte(ld, tail + i) != __DISABLED_CHAR)
			n++;
		i++;
	}
	mld_take(tty, ld, *kb, tail, n);
	if (found)
		clear_bit(MLD_IDX(tail + i - 1), ld->eol);
	/* Room is handed back only after the bytes were taken. */
	smp_store_release(&ld->rtail, tail + i);
	*kb += n;
	*nr -= n;
	if (found)
		return false;
	return ld->rtail != head;
}

/*
 * The user's buffer is full right before a line's EOF marker: consume the
 * marker too, so the next read does not see an empty line.
 * Context: a reader, ld->read_lock and termios_rwsem held.
 */
static void mld_skip_eof(struct tty_struct *tty)
{
	struct mypts_ldisc *ld = tty->disc_data;
	/* Pairs with the producer's release of the line. */
	size_t head = smp_load_acquire(&ld->chead);
	size_t tail = ld->rtail;

	if (tail == head || !test_bit(MLD_IDX(tail), ld->eol) ||
	    mld_rbyte(ld, tail) != __DISABLED_CHAR)
		return;
	clear_bit(MLD_IDX(tail), ld->eol);
	/* The mark is cleared before the slot is handed back. */
	smp_store_release(&ld->rtail, tail + 1);
}

/*
 * End of a read that consumed bytes: let the producer go on.
 * Context: a reader, termios_rwsem held; takes tty->throttle_mutex.
 */
static void mld_read_done(struct tty_struct *tty)
{
	mld_kick(tty);
	mld_check_unthrottle(tty);
}

/*
 * A packet-mode pty master using this discipline: its slave's pending
 * status. Return: the status byte, 0 when none.
 * Context: a reader; takes the slave's ctrl.lock with interrupts off.
 */
static u8 mld_take_pktstatus(struct tty_struct *tty)
{
	struct tty_struct *peer = tty->link;
	u8 cs;

	spin_lock_irq(&peer->ctrl.lock);
	cs = peer->ctrl.pktstatus;
	peer->ctrl.pktstatus = 0;
	spin_unlock_irq(&peer->ctrl.lock);
	return cs;
}

/**
 * mld_read() - the discipline's read
 * @tty: the tty
 * @file: the reader's file
 * @kbuf: kernel buffer to fill
 * @nr: its size
 * @cookie: set when the tty core should call again for more of the same
 *	read; the read lock and termios_rwsem stay held meanwhile
 * @offset: bytes of this read copied already
 *
 * Context: process context. Takes ld->read_lock (interruptibly, or trying
 * only under O_NONBLOCK) and termios_rwsem for reading; may sleep.
 * Return: bytes read, 0 at EOF, or -EAGAIN, -EIO, -ERESTARTSYS.
 */
ssize_t mld_read(struct tty_struct *tty, struct file *file, u8 *kbuf,
		 size_t nr, void **cookie, unsigned long offset)
{
	struct mypts_ldisc *ld = tty->disc_data;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long timeout = MAX_SCHEDULE_TIMEOUT;
	size_t minimum = 0, start_tail;
	unsigned long interbyte = 0;
	bool packet, more;
	ssize_t ret = 0;
	u8 *kb = kbuf;

	if (*cookie) {
		/* A continuation: the locks are still ours. */
		if (ld->icanon && !L_EXTPROC(tty)) {
			if (!nr)
				mld_skip_eof(tty);
			else if (mld_copy_line(tty, &kb, &nr))
				return kb - kbuf;
		} else if (mld_copy_raw(tty, &kb, &nr)) {
			return kb - kbuf;
		}
		mld_read_done(tty);
		up_read(&tty->termios_rwsem);
		mutex_unlock(&ld->read_lock);
		*cookie = NULL;
		return kb - kbuf;
	}

	if (!mld_console_file(file)) {
		ret = mld_read_allowed(tty);
		if (ret < 0)
			return ret;
	}

	if (file->f_flags & O_NONBLOCK) {
		if (!mutex_trylock(&ld->read_lock))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&ld->read_lock)) {
		return -ERESTARTSYS;
	}
	down_read(&tty->termios_rwsem);

	if (!ld->icanon) {
		minimum = MIN_CHAR(tty);
		if (minimum) {
			interbyte = (HZ / 10) * TIME_CHAR(tty);
		} else {
			timeout = (HZ / 10) * TIME_CHAR(tty);
			minimum = 1;
		}
	}
	packet = tty->ctrl.packet && tty->link;
	start_tail = ld->rtail;

	add_wait_queue(&tty->read_wait, &wait);
	while (nr) {
		if (packet && READ_ONCE(tty->link->ctrl.pktstatus)) {
			if (kb != kbuf)
				break;
			*kb++ = mld_take_pktstatus(tty);
			nr--;
			break;
		}

		if (!mld_input_ready(tty, 1)) {
			/* Input the flip buffer still holds counts too. */
			up_read(&tty->termios_rwsem);
			mld_flip_catch_up(tty);
			down_read(&tty->termios_rwsem);
		}
		if (!mld_input_ready(tty, 1)) {
			if (test_bit(TTY_OTHER_CLOSED, &tty->flags)) {
				ret = -EIO;
				break;
			}
			if (tty_hung_up_p(file) ||
			    test_bit(TTY_HUPPING, &tty->flags) || !timeout)
				break;
			if (tty_io_nonblock(tty, file)) {
				ret = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				ret = -ERESTARTSYS;
				break;
			}
			up_read(&tty->termios_rwsem);
			timeout = wait_woken(&wait, TASK_INTERRUPTIBLE, timeout);
			down_read(&tty->termios_rwsem);
			continue;
		}

		if (ld->icanon && !L_EXTPROC(tty)) {
			more = mld_copy_line(tty, &kb, &nr);
		} else {
			if (packet && kb == kbuf) {
				*kb++ = TIOCPKT_DATA;
				nr--;
			}
			more = mld_copy_raw(tty, &kb, &nr) &&
			       kb - kbuf >= minimum;
		}
		if (more) {
			/* Come back for the rest with the locks held. */
			remove_wait_queue(&tty->read_wait, &wait);
			*cookie = cookie;
			return kb - kbuf;
		}
		mld_check_unthrottle(tty);
		if (kb - kbuf >= minimum)
			break;
		if (interbyte)
			timeout = interbyte;
	}
	if (start_tail != ld->rtail) {
		/* rtail is stored before no_room is looked at. */
		smp_mb();
		mld_kick(tty);
	}
	up_read(&tty->termios_rwsem);
	remove_wait_queue(&tty->read_wait, &wait);
	mutex_unlock(&ld->read_lock);

	return kb != kbuf ? kb - kbuf : ret;
}

/**
 * mld_write() - the discipline's write
 * @tty: the tty
 * @file: the writer's file
 * @buf: the bytes (a kernel copy)
 * @nr: how many
 *
 * Pending echoes go first. Waits for room unless O_NONBLOCK; a background
 * writer under TOSTOP is stopped with SIGTTOU by the tty core's check.
 *
 * Context: process context, under the tty's write lock (tty core). Takes
 * termios_rwsem for reading; may sleep.
 * Return: bytes written, or -EAGAIN, -EIO, -ERESTARTSYS, a driver error.
 */
ssize_t mld_write(struct tty_struct *tty, struct file *file, const u8 *buf,
		  size_t nr)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	const u8 *b = buf;
	size_t done;
	int err;
	ssize_t ret = 0;

	if (L_TOSTOP(tty) && !mld_console_file(file)) {
		ret = tty_check_change(tty);
		if (ret)
			return ret;
	}

	down_read(&tty->termios_rwsem);
	mld_echo_process(tty);
	add_wait_queue(&tty->write_wait, &wait);
	for (;;) {
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (tty_hung_up_p(file) || (tty->link && !tty->link->count)) {
			ret = -EIO;
			break;
		}
		if (O_OPOST(tty))
			err = mld_output(tty, b, nr, &done);
		else
			err = mld_output_raw(tty, b, nr, &done);
		b += done;
		nr -= done;
		if (err) {
			ret = err;
			break;
		}
		if (!nr)
			break;
		if (tty_io_nonblock(tty, file)) {
			ret = -EAGAIN;
			break;
		}
		up_read(&tty->termios_rwsem);
		wait_woken(&wait, TASK_INTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT);
		down_read(&tty->termios_rwsem);
	}
	remove_wait_queue(&tty->write_wait, &wait);
	if (nr && tty->fasync)
		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
	up_read(&tty->termios_rwsem);
	return b != buf ? b - buf : ret;
}
