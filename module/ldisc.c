// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc.c - the mypts line discipline: registration, life cycle, termios,
 * ioctls, poll, and the hooks into the driver below it.
 *
 * The discipline behaves as N_TTY does, byte for byte (divergences.rst
 * lists the few places it cannot), on any tty: every mypts slave gets it at
 * allocation, and TIOCSETD puts it on the kernel's own pty slaves, which is
 * how the tests compare the two on one driver.
 */
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/tty.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "module/ldisc.h"
#include "module/mypts.h"
#include "module/slave.h"

static int mypts_ldisc_nr = N_DEVELOPMENT;
module_param_named(ldisc, mypts_ldisc_nr, int, 0444);
MODULE_PARM_DESC(ldisc, "line discipline number of the mypts discipline (default 29, N_DEVELOPMENT)");

/*
 * Values of tty->flow_change while we decide to (un)throttle: the tty
 * core's tty_unthrottle() clears it, which tells us a decision raced.
 */
#define MLD_FLOW_THROTTLE	1
#define MLD_FLOW_UNTHROTTLE	2

/**
 * mld_readable() - bytes a reader may take now
 * @ld: the discipline state
 *
 * Context: Any context; a snapshot.
 * Return: bytes of complete lines in canonical mode, else committed bytes.
 */
size_t mld_readable(struct mypts_ldisc *ld)
{
	if (ld->icanon)
		return ld->chead - ld->rtail;
	return ld->rcommit - ld->rtail;
}

/**
 * mld_kick() - restart input that stopped for lack of room
 * @tty: the tty
 *
 * Context: process context, after a reader made room.
 */
void mld_kick(struct tty_struct *tty)
{
	struct mypts_ldisc *ld = tty->disc_data;

	if (unlikely(READ_ONCE(ld->no_room))) {
		WRITE_ONCE(ld->no_room, false);
		mypts_flip_restart(tty->port);
	}
}

/**
 * mld_flip_catch_up() - bring in what the flip buffer holds
 * @tty: the tty
 *
 * Called before a reader or poller decides there is nothing to read. A
 * mypts slave's reader delivers the input itself (mypts_flip_run()): a
 * reader that emptied the queue does not wait for a worker to be scheduled
 * to refill it, which on a busy or single CPU costs two context switches
 * per queueful, and input a stopped worker left behind is never stranded.
 * Other ttys wait for their worker, as N_TTY does.
 *
 * Context: process context, termios_rwsem not held. Can sleep.
 */
void mld_flip_catch_up(struct tty_struct *tty)
{
	if (mypts_slave_pair(tty))
		mypts_flip_run(tty->port);
	else
		flush_work(&tty->port->buf.work);
}

/*
 * tty_throttle_safe() or tty_unthrottle_safe() (@throttle false), which the
 * core does not export: move TTY_THROTTLED to @throttle and tell the
 * driver, unless a tty_unthrottle() cleared our flow_change meanwhile.
 * Return: true when it raced and the caller must decide again.
 * Context: process context; takes tty->throttle_mutex.
 */
static bool mld_flow_once(struct tty_struct *tty, bool throttle)
{
	int want = throttle ? MLD_FLOW_THROTTLE : MLD_FLOW_UNTHROTTLE;
	bool raced = false;

	mutex_lock(&tty->throttle_mutex);
	if (test_bit(TTY_THROTTLED, &tty->flags) != throttle) {
		if (tty->flow_change != want) {
			raced = true;
		} else if (throttle) {
			set_bit(TTY_THROTTLED, &tty->flags);
			if (tty->ops->throttle)
				tty->ops->throttle(tty);
		} else {
			clear_bit(TTY_THROTTLED, &tty->flags);
			if (tty->ops->unthrottle)
				tty->ops->unthrottle(tty);
		}
	}
	mutex_unlock(&tty->throttle_mutex);
	return raced;
}

static void mld_set_flow_change(struct tty_struct *tty, int val)
{
	tty->flow_change = val;
	/* Seen before the throttle state is looked at. */
	smp_mb();
}

/**
 * mld_check_throttle() - ask the driver to hold input when room runs low
 * @tty: the tty (not a pty: pty masters never get throttled)
 *
 * Context: input processing; takes tty->throttle_mutex.
 */
void mld_check_throttle(struct tty_struct *tty)
{
	struct mypts_ldisc *ld = tty->disc_data;

	/* A canonical line that fills the queue must still be able to end. */
	if (ld->icanon && ld->chead == ld->rtail)
		return;
	do {
		mld_set_flow_change(tty, MLD_FLOW_THROTTLE);
		if (MLD_QSIZE - mld_queued(ld) >= MLD_THROTTLE_ROOM)
			break;
	} while (mld_flow_once(tty, true));
	tty->flow_change = 0;
}

/**
 * mld_check_unthrottle() - let input flow again once the queue drained
 * @tty: the tty
 *
 * A pty's master learns of room through a write wakeup; other drivers are
 * unthrottled.
 *
 * Context: a reader, termios_rwsem held; takes tty->throttle_mutex.
 */
void mld_check_unthrottle(struct tty_struct *tty)
{
	struct mypts_ldisc *ld = tty->disc_data;

	if (tty->driver->type == TTY_DRIVER_TYPE_PTY) {
		if (mld_readable(ld) > MLD_UNTHROTTLE_CHARS)
			return;
		mld_kick(tty);
		tty_wakeup(tty->link);
		return;
	}
	do {
		mld_set_flow_change(tty, MLD_FLOW_UNTHROTTLE);
		if (mld_readable(ld) > MLD_UNTHROTTLE_CHARS)
			break;
		mld_kick(tty);
	} while (mld_flow_once(tty, false));
	tty->flow_change = 0;
}

/**
 * mld_unthrottle_overflow() - a pty's overflowing line keeps input flowing
 * @tty: the pty
 *
 * Context: input processing; takes tty->throttle_mutex.
 */
void mld_unthrottle_overflow(struct tty_struct *tty)
{
	mld_set_flow_change(tty, MLD_FLOW_UNTHROTTLE);
	mld_flow_once(tty, false);
	tty->flow_change = 0;
}

/**
 * mld_pkt_flushread() - tell a packet-mode master the input was flushed
 * @tty: the tty whose input went
 *
 * A kernel pty slave posts TIOCPKT_FLUSHREAD in its own status, which its
 * master's reader collects; a mypts slave posts it to its pair.
 *
 * Context: process context; takes the status lock with interrupts off.
 */
void mld_pkt_flushread(struct tty_struct *tty)
{
	struct mypts_pair *pair = mypts_slave_pair(tty);
	unsigned long flags;

	if (pair) {
		mypts_pkt_event(pair, TIOCPKT_FLUSHREAD, 0);
		return;
	}
	if (!tty->link || !tty->link->ctrl.packet)
		return;
	spin_lock_irqsave(&tty->ctrl.lock, flags);
	tty->ctrl.pktstatus |= TIOCPKT_FLUSHREAD;
	spin_unlock_irqrestore(&tty->ctrl.lock, flags);
	wake_up_interruptible(&tty->link->read_wait);
}

/**
 * mld_reset_input() - empty the input queue
 * @ld: the discipline state
 *
 * Context: termios_rwsem held for writing (no reader, no producer inside).
 */
void mld_reset_input(struct mypts_ldisc *ld)
{
	ld->rhead = 0;
	ld->rcommit = 0;
	ld->chead = 0;
	ld->rtail = 0;
	ld->erasing = 0;
	ld->la_count = 0;
	if (ld->eol)
		bitmap_zero(ld->eol, MLD_QSIZE);
}

/* Pause before input that found no memory is tried again. */
#define MLD_RETRY_DELAY		(HZ / 50)

/*
 * Input that could not be taken for lack of memory stays in the flip
 * buffer; its worker is started again a little later.
 * Context: process context (system workqueue).
 */
static void mld_retry(struct work_struct *work)
{
	struct mypts_ldisc *ld = container_of(to_delayed_work(work),
					      struct mypts_ldisc, retry);

	mypts_flip_restart(ld->tty->port);
}

/**
 * mld_alloc_queues() - allocate the input and echo queues, at first input
 * @ld: the discipline state
 *
 * A tty that never receives a byte never has them: about 8.5 KiB saved per
 * idle tty. On failure the caller takes nothing; the retry work restarts
 * the flip buffer's worker, which keeps the bytes, so they come again.
 *
 * Context: input processing (the queues' only producer), process context,
 * termios_rwsem held for reading. Can sleep.
 * Return: true when the queues exist.
 */
bool mld_alloc_queues(struct mypts_ldisc *ld)
{
	u8 *rbuf, *ebuf;
	unsigned long *eol;

	if (likely(ld->rbuf))
		return true;
	might_sleep();
	rbuf = kzalloc(MLD_QSIZE, GFP_KERNEL);
	if (!rbuf)
		goto err_retry;
	ebuf = kzalloc(MLD_QSIZE, GFP_KERNEL);
	if (!ebuf)
		goto err_free_rbuf;
	eol = bitmap_zalloc(MLD_QSIZE, GFP_KERNEL);
	if (!eol)
		goto err_free_ebuf;
	ld->eol = eol;
	ld->ebuf = ebuf;
	/*
	 * Readers reach the buffers only through indices the producer
	 * publishes later, with release semantics.
	 */
	ld->rbuf = rbuf;
	return true;

err_free_ebuf:
	kfree(ebuf);
err_free_rbuf:
	kfree(rbuf);
err_retry:
	schedule_delayed_work(&ld->retry, MLD_RETRY_DELAY);
	return false;
}

/*
 * Set up ld->special and the raw shortcuts for the current termios.
 * Context: termios_rwsem held for writing, or the discipline's open.
 */
static void mld_build_special(struct tty_struct *tty, struct mypts_ldisc *ld)
{
	unsigned long *map = ld->special;

	if (!(I_ISTRIP(tty) || I_IUCLC(tty) || I_IGNCR(tty) || I_ICRNL(tty) ||
	      I_INLCR(tty) || L_ICANON(tty) || I_IXON(tty) || L_ISIG(tty) ||
	      L_ECHO(tty) || I_PARMRK(tty))) {
		ld->raw = 1;
		ld->real_raw = (I_IGNBRK(tty) || (!I_BRKINT(tty) && !I_PARMRK(tty))) &&
			       (I_IGNPAR(tty) || !I_INPCK(tty)) &&
			       (tty->driver->flags & TTY_DRIVER_REAL_RAW);
		return;
	}
	bitmap_zero(map, 256);
	if (I_IGNCR(tty) || I_ICRNL(tty))
		set_bit('\r', map);
	if (I_INLCR(tty))
		set_bit('\n', map);
	if (L_ICANON(tty)) {
		set_bit(ERASE_CHAR(tty), map);
		set_bit(KILL_CHAR(tty), map);
		set_bit(EOF_CHAR(tty), map);
		set_bit('\n', map);
		set_bit(EOL_CHAR(tty), map);
		if (L_IEXTEN(tty)) {
			set_bit(WERASE_CHAR(tty), map);
			set_bit(LNEXT_CHAR(tty), map);
			set_bit(EOL2_CHAR(tty), map);
			if (L_ECHO(tty))
				set_bit(REPRINT_CHAR(tty), map);
		}
	}
	if (I_IXON(tty)) {
		set_bit(START_CHAR(tty), map);
		set_bit(STOP_CHAR(tty), map);
	}
	if (L_ISIG(tty)) {
		set_bit(INTR_CHAR(tty), map);
		set_bit(QUIT_CHAR(tty), map);
		set_bit(SUSP_CHAR(tty), map);
	}
	/* _POSIX_VDISABLE never matches. */
	clear_bit(__DISABLED_CHAR, map);
	ld->raw = 0;
	ld->real_raw = 0;
}

/**
 * mld_set_termios() - termios changed (or, with @old NULL, the discipline
 * opened)
 * @tty: the tty
 * @old: the termios before
 *
 * Entering or leaving canonical mode (or EXTPROC) re-frames the queue:
 * whatever is pending becomes one complete line when canonical mode comes
 * on, so a reader gets it at once.
 *
 * Context: termios_rwsem held for writing (tty core), or the discipline's
 * open.
 */
static void mld_set_termios(struct tty_struct *tty, const struct ktermios *old)
{
	struct mypts_ldisc *ld = tty->disc_data;

	if (!old || ((old->c_lflag ^ tty->termios.c_lflag) & (ICANON | EXTPROC))) {
		if (ld->eol)
			bitmap_zero(ld->eol, MLD_QSIZE);
		if (!L_ICANON(tty) || !mld_queued(ld)) {
			ld->chead = ld->rtail;
		} else {
			set_bit(MLD_IDX(ld->rhead - 1), ld->eol);
			ld->chead = ld->rhead;
		}
		ld->rcommit = ld->rhead;
		ld->erasing = 0;
		ld->lnext = 0;
	}
	ld->icanon = L_ICANON(tty) != 0;
	mld_build_special(tty, ld);

	/* Output stopped by ^S must not stay stopped once IXON goes. */
	if (!I_IXON(tty) && old && (old->c_iflag & IXON) &&
	    !tty->flow.tco_stopped) {
		start_tty(tty);
		mld_echo_process(tty);
	}
	wake_up_interruptible(&tty->write_wait);
	wake_up_interruptible(&tty->read_wait);
}

/**
 * mld_open() - the discipline is attached to a tty
 * @tty: the tty
 *
 * Only the small state is allocated here; the queues come with the first
 * input (mld_alloc_queues()).
 *
 * Context: process context, under the tty's ldisc lock. Can sleep.
 * Return: 0 or -ENOMEM.
 */
static int mld_open(struct tty_struct *tty)
{
	struct mypts_ldisc *ld;

	ld = kzalloc(sizeof(*ld), GFP_KERNEL);
	if (!ld)
		return -ENOMEM;
	ld->tty = tty;
	ld->overrun_at = jiffies;
	INIT_DELAYED_WORK(&ld->retry, mld_retry);
	mutex_init(&ld->read_lock);
	mutex_init(&ld->out_lock);
	tty->disc_data = ld;
	tty->closing = 0;
	/* Input processing may run again. */
	clear_bit(TTY_LDISC_HALTED, &tty->flags);
	mld_set_termios(tty, NULL);
	tty_unthrottle(tty);
	return 0;
}

/**
 * mld_close() - the discipline is detached; its input is gone
 * @tty: the tty
 *
 * Context: process context, under the tty's ldisc lock; takes
 * termios_rwsem for writing.
 */
static void mld_close(struct tty_struct *tty)
{
	struct mypts_ldisc *ld = tty->disc_data;

	mld_pkt_flushread(tty);
	down_write(&tty->termios_rwsem);
	tty->disc_data = NULL;
	up_write(&tty->termios_rwsem);
	cancel_delayed_work_sync(&ld->retry);
	kfree(ld->rbuf);
	kfree(ld->ebuf);
	bitmap_free(ld->eol);
	kfree(ld);
}

/**
 * mld_flush_buffer() - discard all input (TCIFLUSH, hangup)
 * @tty: the tty
 *
 * Context: process context; takes termios_rwsem for writing.
 */
static void mld_flush_buffer(struct tty_struct *tty)
{
	down_write(&tty->termios_rwsem);
	mld_reset_input(tty->disc_data);
	mld_kick(tty);
	mld_pkt_flushread(tty);
	up_write(&tty->termios_rwsem);
}

/*
 * FIONREAD in canonical mode: bytes of complete lines, EOF markers not.
 * Context: termios_rwsem held for writing.
 */
static unsigned int mld_inq_canon(struct mypts_ldisc *ld)
{
	size_t i, n = ld->chead - ld->rtail;

	for (i = ld->rtail; MLD_IDX(i) != MLD_IDX(ld->chead); i++)
		if (test_bit(MLD_IDX(i), ld->eol) &&
		    mld_rbyte(ld, i) == __DISABLED_CHAR)
			n--;
	return n;
}

/**
 * mld_ioctl() - the discipline's ioctls
 * @tty: the tty
 * @cmd: the ioctl
 * @arg: its argument
 *
 * FIONREAD and TIOCOUTQ here; the rest (TCXONC, TCFLSH, termios) through
 * the tty core's helper, as N_TTY does.
 *
 * Context: process context. Can sleep; TIOCINQ takes termios_rwsem for
 * writing.
 * Return: 0, -EFAULT, or the helper's result.
 */
static int mld_ioctl(struct tty_struct *tty, unsigned int cmd,
		     unsigned long arg)
{
	struct mypts_ldisc *ld = tty->disc_data;
	unsigned int n;

	switch (cmd) {
	case TIOCOUTQ:
		return put_user(tty_chars_in_buffer(tty), (int __user *)arg);
	case TIOCINQ:
		down_write(&tty->termios_rwsem);
		if (L_ICANON(tty) && !L_EXTPROC(tty))
			n = mld_inq_canon(ld);
		else
			n = mld_queued(ld);
		up_write(&tty->termios_rwsem);
		return put_user(n, (unsigned int __user *)arg);
	}
	return n_tty_ioctl_helper(tty, cmd, arg);
}

/**
 * mld_poll() - readiness of a tty under the discipline
 * @tty: the tty
 * @file: the poller's file
 * @wait: the poll table
 *
 * Readable: a complete line, or VMIN bytes when VTIME is 0 (else one).
 *
 * Context: process context. May wait for the flip buffer's worker, or do
 * its work.
 * Return: the poll mask.
 */
static __poll_t mld_poll(struct tty_struct *tty, struct file *file,
			 poll_table *wait)
{
	struct mypts_ldisc *ld = tty->disc_data;
	size_t amt = !TIME_CHAR(tty) && MIN_CHAR(tty) ? MIN_CHAR(tty) : 1;
	__poll_t mask = 0;
	int pass;

	poll_wait(file, &tty->read_wait, wait);
	poll_wait(file, &tty->write_wait, wait);
	for (pass = 0; pass < 2; pass++) {
		if (ld->icanon && !L_EXTPROC(tty) ? ld->chead != ld->rtail :
		    ld->rcommit - ld->rtail >= amt) {
			mask |= EPOLLIN | EPOLLRDNORM;
			break;
		}
		/* Count what the flip buffer still holds, once. */
		if (!pass)
			mld_flip_catch_up(tty);
	}
	if (tty->ctrl.packet && tty->link && tty->link->ctrl.pktstatus)
		mask |= EPOLLPRI | EPOLLIN | EPOLLRDNORM;
	if (test_bit(TTY_OTHER_CLOSED, &tty->flags) || tty_hung_up_p(file))
		mask |= EPOLLHUP;
	if (tty->ops->write && !mutex_is_locked(&tty->atomic_write_lock) &&
	    tty_chars_in_buffer(tty) < MLD_WAKEUP_CHARS &&
	    tty_write_room(tty) > 0)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

/**
 * mld_write_wakeup() - the driver has room again
 * @tty: the tty
 *
 * Context: Any context, maybe atomic.
 */
static void mld_write_wakeup(struct tty_struct *tty)
{
	clear_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
	kill_fasync(&tty->fasync, SIGIO, POLL_OUT);
}

/*
 * Input the caller cannot keep: what does not fit is lost.
 * Context: process context (TIOCSTI, direct callers); see mld_receive().
 */
static void mld_receive_buf(struct tty_struct *tty, const u8 *cp,
			    MYPTS_LD_FLAGS *fp, MYPTS_LD_COUNT count)
{
	mld_receive(tty, cp, (const u8 *)fp, count, false);
}

/*
 * Input from the flip buffer, which keeps what is not taken.
 * Context: the flip worker, under the port's buffer lock; see mld_receive().
 */
static MYPTS_LD_RECV2_RET mld_receive_buf2(struct tty_struct *tty,
					   const u8 *cp, MYPTS_LD_FLAGS *fp,
					   MYPTS_LD_COUNT count)
{
	return mld_receive(tty, cp, (const u8 *)fp, count, true);
}

/* Context: the flip worker, under the port's buffer lock. */
static void mld_lookahead_buf(struct tty_struct *tty, const u8 *cp,
			      const u8 *fp, MYPTS_LOOKAHEAD_COUNT count)
{
	mld_lookahead(tty, cp, fp, count);
}

static struct tty_ldisc_ops mypts_ldisc_ops = {
	.owner		= THIS_MODULE,
	.name		= "mypts",
	.open		= mld_open,
	.close		= mld_close,
	.flush_buffer	= mld_flush_buffer,
	.read		= mld_read,
	.write		= mld_write,
	.ioctl		= mld_ioctl,
	.set_termios	= mld_set_termios,
	.poll		= mld_poll,
	.receive_buf	= mld_receive_buf,
	.write_wakeup	= mld_write_wakeup,
	.receive_buf2	= mld_receive_buf2,
	.lookahead_buf	= mld_lookahead_buf,
};

/**
 * mypts_ldisc_number() - the number the discipline is registered at
 *
 * Context: Any context.
 * Return: the number (module parameter "ldisc").
 */
int mypts_ldisc_number(void)
{
	return mypts_ldisc_nr;
}

/**
 * mypts_ldisc_room() - the driver found memory it lacked: write out echoes
 * @tty: the tty
 *
 * Echoes that found no room wait in the echo queue until the next input
 * or write; after a failed allocation in the driver nothing else may come,
 * so the driver's retry calls this. Does nothing under another discipline.
 *
 * Context: Process context; takes an ldisc reference, termios_rwsem for
 * reading and the discipline's out_lock. Can sleep.
 */
void mypts_ldisc_room(struct tty_struct *tty)
{
	struct tty_ldisc *ld = tty_ldisc_ref(tty);

	if (!ld)
		return;
	if (ld->ops == &mypts_ldisc_ops) {
		down_read(&tty->termios_rwsem);
		mld_echo_process(tty);
		up_read(&tty->termios_rwsem);
	}
	tty_ldisc_deref(ld);
}

/**
 * mypts_ldisc_attach_new() - make a tty being created start on our discipline
 * @tty: a new tty, inside its driver's install operation
 *
 * The core attaches N_TTY to every new tty and opens it after install;
 * switching with tty_set_ldisc() afterwards opened and closed N_TTY (two
 * vmalloc'ed buffers) and halted the tty for every pair. The termios line
 * says ours too, whatever a saved termios said.
 *
 * Context: the tty driver's install: under tty_mutex and tty_lock, before
 * the tty's discipline is open or the tty visible to anyone.
 */
void mypts_ldisc_attach_new(struct tty_struct *tty)
{
	if (WARN_ON_ONCE(!tty->ldisc || test_bit(TTY_LDISC_OPEN, &tty->flags)))
		return;
	if (tty->ldisc->ops == &mypts_ldisc_ops)
		return;
	mypts_ldisc_preset(tty, &mypts_ldisc_ops);
	tty->termios.c_line = mypts_ldisc_nr;
}

/**
 * mypts_ldisc_init() - register the discipline
 *
 * Context: Module init. Can sleep.
 * Return: 0, -EINVAL for a number N_TTY or out of range, -EBUSY when the
 * number is taken.
 */
int mypts_ldisc_init(void)
{
	int err;

	if (mypts_ldisc_nr <= N_TTY || mypts_ldisc_nr >= NR_LDISCS) {
		pr_err("ldisc=%d: must be between %d and %d\n", mypts_ldisc_nr,
		       N_TTY + 1, NR_LDISCS - 1);
		return -EINVAL;
	}
	mypts_ldisc_ops.num = mypts_ldisc_nr;
	err = tty_register_ldisc(&mypts_ldisc_ops);
	if (err)
		pr_err("ldisc=%d: number taken (%d)\n", mypts_ldisc_nr, err);
	return err;
}

/**
 * mypts_ldisc_exit() - unregister the discipline
 *
 * Context: Module exit; no tty uses it (each use pins the module).
 */
void mypts_ldisc_exit(void)
{
	tty_unregister_ldisc(&mypts_ldisc_ops);
}
