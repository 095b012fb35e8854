// SPDX-License-Identifier: GPL-2.0
/*
 * slave.c - the tty driver of mypts slaves.
 *
 * A slave is a real tty, so sessions, job control, hangup and the line
 * discipline come from the tty core. It is not of type PTY: the core would
 * follow tty->link to a master tty that does not exist here (DESIGN.md).
 * Output written by the slave goes straight into its pair's buffer for the
 * master; input written by the master arrives through the port's flip
 * buffer.
 */
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>

#include "module/ldisc.h"
#include "module/mypts.h"
#include "module/pair.h"
#include "module/slave.h"
#include "fs/nodes.h"

static struct tty_driver *mypts_slave_driver;

/*
 * The pair whose slave is being opened for the first time: set by lookup and
 * taken by install, both under tty_mutex in the same tty_open() call.
 */
static struct mypts_pair *mypts_installing;

/**
 * mypts_slave_devt() - device number of a slave
 * @index: pair number
 *
 * Context: Any context.
 * Return: the dev_t of slave @index.
 */
dev_t mypts_slave_devt(int index)
{
	return MKDEV(mypts_slave_driver->major,
		     mypts_slave_driver->minor_start + index);
}

/**
 * mypts_slave_pair() - the pair of a mypts slave
 * @tty: any tty
 *
 * Context: Any context, while @tty is referenced.
 * Return: the pair when @tty is one of our slaves, else NULL.
 */
struct mypts_pair *mypts_slave_pair(struct tty_struct *tty)
{
	if (tty->driver != mypts_slave_driver)
		return NULL;
	return tty->driver_data;
}

/**
 * mypts_pkt_event() - post packet-mode events for the master
 * @pair: the pair
 * @set: TIOCPKT_* bits to set
 * @clear: TIOCPKT_* bits to clear first
 *
 * Nothing happens unless the master is in packet mode.
 *
 * Context: Any context; takes @pair->lock with interrupts disabled.
 */
void mypts_pkt_event(struct mypts_pair *pair, u8 set, u8 clear)
{
	unsigned long flags;
	bool posted = false;

	spin_lock_irqsave(&pair->lock, flags);
	if (pair->packet) {
		pair->pktstatus &= ~clear;
		pair->pktstatus |= set;
		posted = true;
	}
	spin_unlock_irqrestore(&pair->lock, flags);
	if (posted)
		wake_up_interruptible_poll(&pair->read_wait, EPOLLIN | EPOLLPRI);
}

/**
 * mypts_slave_lookup() - find the tty behind an opened slave node
 * @driver: our driver
 * @filp: the file being opened
 * @idx: the pair number
 *
 * Refusals happen here, before the tty core counts the open, so a refused
 * open never looks like a slave close to the master.
 *
 * Context: Under tty_mutex (tty core). Takes mypts_nodes_lock.
 * Return: the existing tty, NULL for the kernel's own first open of a new
 * pair (install follows), or ERR_PTR(-EIO) when the master is gone or the
 * slave is locked.
 */
static struct tty_struct *mypts_slave_lookup(struct tty_driver *driver,
					     struct file *filp, int idx)
{
	struct tty_struct *tty = ERR_PTR(-EIO);
	struct mypts_pair *pair;
	bool allocating;

	mypts_installing = NULL;
	pair = mypts_slave_node_lock(file_inode(filp));
	if (!pair || pair->index != idx ||
	    test_bit(MYPTS_MASTER_CLOSED, &pair->flags))
		goto out;
	allocating = READ_ONCE(pair->opener) == current;
	/* A new pair is locked; only the kernel's own open passes. */
	if (test_bit(MYPTS_LOCKED, &pair->flags) && !allocating)
		goto out;
	if (pair->tty) {
		tty = pair->tty;
	} else if (allocating) {
		/* Only the allocating open may create the tty. */
		mypts_installing = pair;
		tty = NULL;
	}
out:
	mypts_slave_node_unlock();
	return tty;
}

/**
 * mypts_slave_install() - bind a new slave tty to its pair
 * @driver: our driver
 * @tty: the new tty
 *
 * The tty starts on our discipline: the core opens it right after this.
 *
 * Context: Under tty_mutex and tty_lock, right after mypts_slave_lookup()
 * returned NULL.
 * Return: 0, or -EIO if no pair is being opened.
 */
static int mypts_slave_install(struct tty_driver *driver, struct tty_struct *tty)
{
	struct mypts_pair *pair = mypts_installing;

	mypts_installing = NULL;
	if (WARN_ON_ONCE(!pair || pair->index != tty->index))
		return -EIO;
	tty_init_termios(tty);
	mypts_ldisc_attach_new(tty);
	tty_driver_kref_get(driver);
	tty->count++;
	tty->port = &pair->port;
	tty->driver_data = pair;
	mypts_pair_get(pair);
	pair->tty = tty;
	return 0;
}

/**
 * mypts_slave_remove() - the slave tty is going: every slave fd is closed
 * @driver: our driver
 * @tty: the tty
 *
 * The master closed before (it holds a slave file), so the pair's number
 * and its share of the limits go back now, as devpts does at the last close.
 *
 * Context: Under tty_mutex (tty core).
 */
static void mypts_slave_remove(struct tty_driver *driver, struct tty_struct *tty)
{
	struct mypts_pair *pair = tty->driver_data;

	pair->tty = NULL;
	mypts_pair_release(pair);
}

/**
 * mypts_slave_cleanup() - drop the tty's reference to its pair
 * @tty: the tty being freed
 *
 * Context: Process context (tty release work). Can sleep.
 */
static void mypts_slave_cleanup(struct tty_struct *tty)
{
	struct mypts_pair *pair = tty->driver_data;

	tty->driver_data = NULL;
	tty->port = NULL;
	mypts_pair_put(pair);
}

/**
 * mypts_slave_open() - open of a slave fd
 * @tty: the slave
 * @filp: the file
 *
 * Lookup refused locked slaves already; a master that closed since then
 * still fails the open. Input the master queued while nobody could take it
 * (after a hangup killed the discipline) is pushed again.
 *
 * Context: Under tty_lock (tty core). Can sleep.
 * Return: 0, or -EIO after the master closed.
 */
static int mypts_slave_open(struct tty_struct *tty, struct file *filp)
{
	struct mypts_pair *pair = tty->driver_data;
	unsigned long flags;

	if (test_bit(MYPTS_MASTER_CLOSED, &pair->flags))
		return -EIO;
	clear_bit(MYPTS_SLAVE_CLOSED, &pair->flags);
	set_bit(TTY_THROTTLED, &tty->flags);
	spin_lock_irqsave(&pair->port.lock, flags);
	tty_flip_buffer_push(&pair->port);
	spin_unlock_irqrestore(&pair->port.lock, flags);
	return 0;
}

/**
 * mypts_slave_close() - close of a slave fd
 * @tty: the slave
 * @filp: the file (or, during a hangup, the console file, if any)
 *
 * When the last fd a user holds closes (the kernel's own is the other one
 * left), the master's reads turn to EIO once drained, and its poll to
 * POLLHUP.
 *
 * Context: Under tty_lock (tty core). Can sleep.
 */
static void mypts_slave_close(struct tty_struct *tty, struct file *filp)
{
	struct mypts_pair *pair = tty->driver_data;

	if (tty->count > 2 || (filp && filp == pair->slave_file))
		return;
	set_bit(MYPTS_SLAVE_CLOSED, &pair->flags);
	wake_up_interruptible_poll(&pair->read_wait, EPOLLIN | EPOLLHUP);
	wake_up_interruptible_poll(&pair->write_wait, EPOLLOUT | EPOLLHUP);
}

/**
 * mypts_slave_write() - output of the slave, after the discipline
 * @tty: the slave
 * @buf: bytes
 * @count: how many
 *
 * The bytes go into the master's buffer; nothing is written while the
 * slave's output is stopped (^S, TCOOFF).
 *
 * Context: Any context; takes the pair's producer spinlock.
 * Return: the number of bytes taken.
 */
static MYPTS_TTY_WRITE_RET mypts_slave_write(struct tty_struct *tty,
					     const u8 *buf,
					     MYPTS_TTY_WRITE_COUNT count)
{
	struct mypts_pair *pair = tty->driver_data;
	unsigned int n;

	if (tty->flow.stopped || count <= 0)
		return 0;
	n = kfifo_in_spinlocked(&pair->out, buf, count, &pair->out_lock);
	if (n) {
		wake_up_interruptible_poll(&pair->read_wait, EPOLLIN | EPOLLRDNORM);
		kill_fasync(&pair->fasync, SIGIO, POLL_IN);
	}
	return n;
}

/**
 * mypts_slave_write_room() - room in the master's buffer
 * @tty: the slave
 *
 * Context: Any context.
 * Return: free bytes, 0 while output is stopped.
 */
static unsigned int mypts_slave_write_room(struct tty_struct *tty)
{
	struct mypts_pair *pair = tty->driver_data;

	if (tty->flow.stopped)
		return 0;
	return kfifo_avail(&pair->out);
}

/**
 * mypts_slave_flush_buffer() - the slave's output is to be discarded
 * @tty: the slave
 *
 * Called for TCOFLUSH, for an ISIG character and at hangup. What the slave
 * wrote already belongs to the master and is kept, so a program's last words
 * before it exits are never lost. Packet mode learns of the flush: only
 * FLUSHWRITE for TCOFLUSH, both directions for a signal character.
 *
 * Context: Process context, maybe under the slave's termios_rwsem.
 */
static void mypts_slave_flush_buffer(struct tty_struct *tty)
{
	struct mypts_pair *pair = tty->driver_data;
	unsigned long flags;
	u8 events = TIOCPKT_FLUSHWRITE;

	spin_lock_irqsave(&pair->lock, flags);
	if (pair->flush_owner != current)
		events |= TIOCPKT_FLUSHREAD;
	spin_unlock_irqrestore(&pair->lock, flags);
	mypts_pkt_event(pair, events, 0);
}

/**
 * mypts_slave_set_termios_flush() - TCSETSF and its kin on a slave
 * @tty: the slave
 * @cmd: TCSETSF, TCSETSF2 or TCSETAF
 * @arg: the user's termios, as a kernel-usable pointer value
 *
 * The slave's input is flushed, which packet mode reports as n_tty reports
 * it to a pty master. Used for the slave's fds and for the master's.
 *
 * Context: Process context. Can sleep; may send SIGTTOU.
 * Return: the result of tty_mode_ioctl().
 */
int mypts_slave_set_termios_flush(struct tty_struct *tty, unsigned int cmd,
				  unsigned long arg)
{
	int ret = tty_mode_ioctl(tty, cmd, arg);

	if (!ret)
		mypts_pkt_event(tty->driver_data, TIOCPKT_FLUSHREAD, 0);
	return ret;
}

/*
 * Is an n_tty-class discipline (N_TTY or ours) in force on @tty?
 * Context: process context; takes an ldisc reference without waiting.
 */
static bool mypts_slave_ldisc_is_tty(struct tty_struct *tty)
{
	struct tty_ldisc *ld = tty_ldisc_ref(tty);
	bool ours;

	if (!ld)
		return false;
	ours = ld->ops->num == N_TTY || ld->ops->num == mypts_ldisc_number();
	tty_ldisc_deref(ld);
	return ours;
}

/**
 * mypts_slave_ioctl() - ioctls a slave driver sees before the discipline
 * @tty: the slave
 * @cmd: the ioctl
 * @arg: its argument
 *
 * TCFLSH is done here so that packet mode reports exactly the directions
 * flushed, and a master writer waiting for room learns of it; TCSETSF and
 * its kin so that packet mode learns of the input flush.
 *
 * Context: Process context. Can sleep.
 * Return: the result of TCFLSH or TCSETSF, -ENOIOCTLCMD for the rest.
 */
static int mypts_slave_ioctl(struct tty_struct *tty, unsigned int cmd,
			     unsigned long arg)
{
	struct mypts_pair *pair = tty->driver_data;
	unsigned long flags;
	int ret;

	/*
	 * Other disciplines (N_PPP, N_HDLC...) flush their own queues. Ask
	 * the discipline in force: termios.c_line is whatever TCSETS wrote.
	 */
	if (!mypts_slave_ldisc_is_tty(tty))
		return -ENOIOCTLCMD;

	switch (cmd) {
	case TCFLSH:
		ret = tty_check_change(tty);
		if (ret)
			return ret;
		if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
			return -EINVAL;
		spin_lock_irqsave(&pair->lock, flags);
		pair->flush_owner = current;
		spin_unlock_irqrestore(&pair->lock, flags);
		ret = tty_perform_flush(tty, arg);
		spin_lock_irqsave(&pair->lock, flags);
		pair->flush_owner = NULL;
		spin_unlock_irqrestore(&pair->lock, flags);
		if (arg != TCOFLUSH) {
			mypts_pkt_event(pair, TIOCPKT_FLUSHREAD, 0);
			wake_up_interruptible_poll(&pair->write_wait, EPOLLOUT);
		}
		return ret;
	case TCSETSF:
	case TCSETSF2:
	case TCSETAF:
		return mypts_slave_set_termios_flush(tty, cmd, arg);
	}
	return -ENOIOCTLCMD;
}

/**
 * mypts_slave_set_termios() - the slave's termios changed
 * @tty: the slave
 * @old: the termios before
 *
 * A pty has no parity and always 8 bits. Packet mode learns whether ^S/^Q
 * flow control turned on or off, and of every change under EXTPROC.
 *
 * Context: Under the slave's termios_rwsem held for writing.
 */
static void mypts_slave_set_termios(struct tty_struct *tty,
				    MYPTS_OLD_TERMIOS *old)
{
	struct mypts_pair *pair = tty->driver_data;
	bool extproc = (old->c_lflag & EXTPROC) || L_EXTPROC(tty);
	bool old_flow = (old->c_iflag & IXON) && old->c_cc[VSTOP] == '\023' &&
			old->c_cc[VSTART] == '\021';
	bool new_flow = I_IXON(tty) && STOP_CHAR(tty) == '\023' &&
			START_CHAR(tty) == '\021';
	u8 set = 0, clear = 0;

	if (old_flow != new_flow) {
		clear = TIOCPKT_DOSTOP | TIOCPKT_NOSTOP;
		set = new_flow ? TIOCPKT_DOSTOP : TIOCPKT_NOSTOP;
	}
	if (extproc)
		set |= TIOCPKT_IOCTL;
	if (set)
		mypts_pkt_event(pair, set, clear);

	tty->termios.c_cflag &= ~(CSIZE | PARENB);
	tty->termios.c_cflag |= CS8 | CREAD;
}

/**
 * mypts_slave_unthrottle() - the slave's discipline has room again
 * @tty: the slave
 *
 * Wakes master writers waiting for room; the discipline restarts the flip
 * worker itself.
 *
 * Context: Process context (discipline read), under termios_rwsem.
 */
static void mypts_slave_unthrottle(struct tty_struct *tty)
{
	struct mypts_pair *pair = tty->driver_data;

	wake_up_interruptible_poll(&pair->write_wait, EPOLLOUT);
}

/**
 * mypts_slave_stop() - the slave's output stopped (^S or TCOOFF)
 * @tty: the slave
 *
 * Context: Under tty->flow.lock, interrupts disabled.
 */
static void mypts_slave_stop(struct tty_struct *tty)
{
	mypts_pkt_event(tty->driver_data, TIOCPKT_STOP, TIOCPKT_START);
}

/**
 * mypts_slave_start() - the slave's output restarted (^Q or TCOON)
 * @tty: the slave
 *
 * Context: Under tty->flow.lock, interrupts disabled.
 */
static void mypts_slave_start(struct tty_struct *tty)
{
	mypts_pkt_event(tty->driver_data, TIOCPKT_START, TIOCPKT_STOP);
}

static const struct tty_operations mypts_slave_ops = {
	.lookup		= mypts_slave_lookup,
	.install	= mypts_slave_install,
	.remove		= mypts_slave_remove,
	.cleanup	= mypts_slave_cleanup,
	.open		= mypts_slave_open,
	.close		= mypts_slave_close,
	.write		= mypts_slave_write,
	.write_room	= mypts_slave_write_room,
	.flush_buffer	= mypts_slave_flush_buffer,
	.ioctl		= mypts_slave_ioctl,
	.set_termios	= mypts_slave_set_termios,
	.unthrottle	= mypts_slave_unthrottle,
	.stop		= mypts_slave_stop,
	.start		= mypts_slave_start,
};

/*
 * The port's client: hands master input from the flip buffer to the slave's
 * discipline, and wakes master writers when it took some.
 * Context: the flip buffer worker, under the port's buffer mutex. Can sleep.
 */
static MYPTS_PORT_RECV_RET mypts_port_receive_buf(struct tty_port *port,
						  const u8 *p, const u8 *f,
						  size_t count)
{
	struct mypts_pair *pair = container_of(port, struct mypts_pair, port);
	struct tty_struct *tty = READ_ONCE(port->itty);
	struct tty_ldisc *ld;
	size_t n;

	if (!tty)
		return 0;
	ld = tty_ldisc_ref(tty);
	if (!ld)
		return 0;
	n = mypts_ldisc_receive_buf(ld, p, f, count);
	tty_ldisc_deref(ld);
	/*
	 * Wake even when nothing was taken: the worker frees a consumed
	 * buffer only on its way to the next one, and that call's wakeup is
	 * what tells a waiting writer about the room.
	 */
	wake_up_interruptible_poll(&pair->write_wait, EPOLLOUT);
	return n;
}

static void mypts_port_lookahead_buf(struct tty_port *port, const u8 *p,
				     const u8 *f, MYPTS_LOOKAHEAD_COUNT count)
{
	struct tty_struct *tty = READ_ONCE(port->itty);
	struct tty_ldisc *ld;

	if (!tty)
		return;
	ld = tty_ldisc_ref(tty);
	if (!ld)
		return;
	if (ld->ops->lookahead_buf)
		ld->ops->lookahead_buf(ld->tty, p, f, count);
	tty_ldisc_deref(ld);
}

static void mypts_port_write_wakeup(struct tty_port *port)
{
	struct tty_struct *tty = tty_port_tty_get(port);

	if (tty) {
		tty_wakeup(tty);
		tty_kref_put(tty);
	}
}

static const struct tty_port_client_operations mypts_port_client_ops = {
	.receive_buf	= mypts_port_receive_buf,
	.lookahead_buf	= mypts_port_lookahead_buf,
	.write_wakeup	= mypts_port_write_wakeup,
};

/**
 * mypts_slave_port_init() - set up the tty_port of a new pair
 * @pair: the pair
 *
 * Context: Process context. Can sleep.
 */
void mypts_slave_port_init(struct mypts_pair *pair)
{
	tty_port_init(&pair->port);
	mypts_port_link_wq(&pair->port);
	tty_buffer_set_limit(&pair->port, MYPTS_IN_LIMIT);
	pair->port.client_ops = &mypts_port_client_ops;
}

/**
 * mypts_slave_init() - register the slave tty driver
 *
 * Context: Module init. Can sleep.
 * Return: 0 or a negative errno.
 */
int mypts_slave_init(void)
{
	struct tty_driver *driver;
	int err;

	driver = tty_alloc_driver(NR_UNIX98_PTY_MAX,
				  TTY_DRIVER_RESET_TERMIOS |
				  TTY_DRIVER_REAL_RAW |
				  TTY_DRIVER_DYNAMIC_DEV |
				  TTY_DRIVER_DEVPTS_MEM |
				  TTY_DRIVER_DYNAMIC_ALLOC |
				  MYPTS_TTY_DRIVER_WQ_FLAGS);
	if (IS_ERR(driver))
		return PTR_ERR(driver);
	driver->driver_name = "mypts_slave";
	driver->name = "mypts";
	driver->major = 0;
	driver->minor_start = 0;
	driver->type = TTY_DRIVER_TYPE_SYSTEM;
	driver->subtype = 0;
	driver->init_termios = tty_std_termios;
	driver->init_termios.c_cflag = B38400 | CS8 | CREAD;
	driver->init_termios.c_ispeed = 38400;
	driver->init_termios.c_ospeed = 38400;
	/* A hangup resets termios, and with it the discipline, to this. */
	driver->init_termios.c_line = mypts_ldisc_number();
	tty_set_operations(driver, &mypts_slave_ops);

	err = tty_register_driver(driver);
	if (err)
		goto err_put_driver;
	mypts_slave_driver = driver;
	return 0;

err_put_driver:
	tty_driver_kref_put(driver);
	return err;
}

/**
 * mypts_slave_exit() - unregister the slave tty driver
 *
 * Context: Module exit. No pair exists (every pair pins the module).
 */
void mypts_slave_exit(void)
{
	tty_unregister_driver(mypts_slave_driver);
	/*
	 * The core's destructor walks driver->termios[0..num), an array a
	 * TTY_DRIVER_DEVPTS_MEM driver does not have (the kernel never frees
	 * its own pty drivers). The minors are unregistered already, so no
	 * lines remain to walk.
	 */
	mypts_slave_driver->num = 0;
	tty_driver_kref_put(mypts_slave_driver);
}
