// SPDX-License-Identifier: GPL-2.0
/*
 * ptmx.c - the ptmx device: opening it allocates a pair and returns its
 * master, a file of ours (not a tty) that offers what a Linux pty master
 * offers.
 *
 * The device is one character device of its own, "myptmx" (not a misc
 * device: misc_open() holds a global mutex around ->open, which would put
 * every pair allocation, and every misc open in the system, behind it).
 * Every instance's "ptmx" node has its number; opened there it allocates in
 * that instance. Opened anywhere else (/dev/myptmx), it allocates in the
 * instance mounted on a "mypts" (or "pts") directory beside it, the rule
 * /dev/ptmx follows.
 */
#include <linux/cdev.h>
#include <linux/compat.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_flip.h>
#include <linux/uaccess.h>

#include "module/mypts.h"
#include "module/pair.h"
#include "module/ptmx.h"
#include "module/slave.h"
#include "fs/super.h"

/*
 * Master writes are copied from user space once, into a buffer of the
 * write call: on the stack up to MYPTS_WRITE_SMALL bytes (typing, and
 * the one-byte round trips of interactive use), else allocated for the
 * call, MYPTS_WRITE_CHUNK at most (the discipline's queue is 4 KiB).
 */
#define MYPTS_WRITE_SMALL	64
#define MYPTS_WRITE_CHUNK	4096

static const struct file_operations mypts_master_fops;

static dev_t mypts_ptmx_dev;
static struct cdev mypts_ptmx_cdev;
static struct class *mypts_ptmx_class;

/**
 * mypts_ptmx_devt() - device number of every ptmx node
 *
 * Context: Any context, after mypts_ptmx_init().
 * Return: the ptmx device's dev_t.
 */
dev_t mypts_ptmx_devt(void)
{
	return mypts_ptmx_dev;
}

/* /dev/myptmx is for everyone, as /dev/ptmx is. */
static char *mypts_ptmx_devnode(MYPTS_DEVNODE_DEV *dev, umode_t *mode)
{
	if (mode)
		*mode = 0666;
	return NULL;
}

/*
 * Replace @path (a node outside any instance) by the root of the instance
 * mounted on a "mypts" or "pts" directory in the same directory.
 * Return: 0, or -ENODEV when there is none. @path is consumed either way.
 */
static int mypts_sibling_instance(struct path *path)
{
	static const char *const names[] = { "mypts", "pts" };
	struct dentry *parent = dget_parent(path->dentry);
	unsigned int i;

	dput(path->dentry);
	path->dentry = parent;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct qstr name = QSTR_INIT(names[i], strlen(names[i]));
		struct path child;
		struct dentry *d;

		d = mypts_lookup_cached(parent, &name);
		if (IS_ERR_OR_NULL(d))
			continue;
		child.mnt = mntget(path->mnt);
		child.dentry = d;
		mypts_follow_down(&child);
		if (mypts_sb_info(child.mnt->mnt_sb) &&
		    child.dentry == child.mnt->mnt_root) {
			path_put(path);
			*path = child;
			return 0;
		}
		path_put(&child);
	}
	path_put(path);
	path->mnt = NULL;
	path->dentry = NULL;
	return -ENODEV;
}

/*
 * The mount through which a master's slave should be opened (TIOCGPTPEER):
 * the instance mount the master's ptmx lives in, after walking up
 * single-file bind mounts, or the instance beside the ptmx device node.
 */
static int mypts_master_mount(struct file *master, struct path *path)
{
	*path = master->f_path;
	path_get(path);
	while (path->mnt->mnt_root == path->dentry)
		if (!follow_up(path))
			break;
	if (mypts_sb_info(path->mnt->mnt_sb) &&
	    path->mnt->mnt_root == path->mnt->mnt_sb->s_root)
		return 0;
	return mypts_sibling_instance(path);
}

/**
 * mypts_ptmx_open() - open of a ptmx node: allocate a pair
 * @inode: the ptmx node
 * @filp: the new master file
 *
 * Context: Process context. Can sleep.
 * Return: 0, -ENODEV when no instance belongs to this node, -ENOSPC at a
 * limit, or another error of the allocation.
 */
static int mypts_ptmx_open(struct inode *inode, struct file *filp)
{
	struct path path = { };
	struct super_block *sb;
	struct mypts_pair *pair;
	int err;

	nonseekable_open(inode, filp);
	if (mypts_sb_info(inode->i_sb)) {
		sb = inode->i_sb;
	} else {
		path = filp->f_path;
		path_get(&path);
		err = mypts_sibling_instance(&path);
		if (err)
			return err;
		sb = path.mnt->mnt_sb;
	}
	pair = mypts_pair_create(sb);
	path_put(&path);
	if (IS_ERR(pair))
		return PTR_ERR(pair);
	/* Point of no return: from here release() owns the pair. */
	filp->private_data = pair;
	return 0;
}

/**
 * mypts_master_release() - last close of a master
 * @inode: its inode
 * @filp: the master file
 *
 * Context: Process context. Can sleep.
 * Return: 0.
 */
static int mypts_master_release(struct inode *inode, struct file *filp)
{
	struct mypts_pair *pair = filp->private_data;

	mypts_pair_hangup(pair);
	fput(pair->slave_file);
	pair->slave_file = NULL;
	mypts_pair_put(pair);
	return 0;
}

static bool mypts_master_readable(struct mypts_pair *pair)
{
	return mypts_out_len(&pair->out) ||
	       (READ_ONCE(pair->packet) && READ_ONCE(pair->pktstatus)) ||
	       test_bit(MYPTS_SLAVE_CLOSED, &pair->flags) ||
	       test_bit(MYPTS_MASTER_HUNG, &pair->flags);
}

/**
 * mypts_master_read() - read what the slave wrote
 * @filp: the master
 * @buf: user buffer
 * @count: its size
 * @ppos: unused
 *
 * In packet mode a pending status byte is returned alone, else the data
 * follows a TIOCPKT_DATA byte. Once no user holds the slave, reads return
 * what is left and then EIO, as on Linux.
 *
 * Context: Process context. Takes @pair->read_lock. Can sleep.
 * Return: bytes read, 0 after TIOCVHANGUP, or -EIO, -EAGAIN, -EFAULT,
 * -ERESTARTSYS.
 */
static ssize_t mypts_master_read(struct file *filp, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct mypts_pair *pair = filp->private_data;
	bool packet;
	ssize_t ret;
	u8 status;

	if (test_bit(MYPTS_MASTER_HUNG, &pair->flags))
		return 0;
	if (!count)
		return 0;
	if (mutex_lock_interruptible(&pair->read_lock))
		return -ERESTARTSYS;
	for (;;) {
		spin_lock_irq(&pair->lock);
		packet = pair->packet;
		status = packet ? pair->pktstatus : 0;
		if (status)
			pair->pktstatus = 0;
		spin_unlock_irq(&pair->lock);
		if (status) {
			ret = put_user(status, buf) ? -EFAULT : 1;
			break;
		}
		if (mypts_out_len(&pair->out)) {
			if (packet) {
				if (put_user(TIOCPKT_DATA, buf)) {
					ret = -EFAULT;
					break;
				}
				buf++;
				count--;
			}
			ret = mypts_out_read(pair, buf, count);
			if (ret >= 0)
				ret += packet;
			tty_wakeup(pair->tty);
			break;
		}
		if (test_bit(MYPTS_MASTER_HUNG, &pair->flags)) {
			ret = 0;
			break;
		}
		if (test_bit(MYPTS_SLAVE_CLOSED, &pair->flags)) {
			ret = -EIO;
			break;
		}
		if (filp->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&pair->read_lock);
		if (wait_event_interruptible(pair->read_wait,
					     mypts_master_readable(pair)))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&pair->read_lock))
			return -ERESTARTSYS;
	}
	mutex_unlock(&pair->read_lock);
	return ret;
}

static bool mypts_master_writable(struct mypts_pair *pair)
{
	return (tty_buffer_space_avail(&pair->port) > 0 &&
		!test_bit(MYPTS_MASTER_STOPPED, &pair->flags)) ||
	       test_bit(MYPTS_MASTER_HUNG, &pair->flags);
}

/*
 * Queue @n bytes in the slave port's flip buffer, for the flip worker.
 * Context: caller holds @pair->write_lock; takes the port lock (irqsave).
 * Return: the number of bytes queued.
 */
static size_t mypts_master_queue(struct mypts_pair *pair, const u8 *p, size_t n)
{
	unsigned long flags;

	/* Insert and commit under the port lock, as the kernel's pty does. */
	spin_lock_irqsave(&pair->port.lock, flags);
	n = tty_insert_flip_string(&pair->port, p, n);
	if (n)
		tty_flip_buffer_push(&pair->port);
	spin_unlock_irqrestore(&pair->port.lock, flags);
	return n;
}

/**
 * mypts_master_deliver() - hand master input to the slave
 * @pair: the pair
 * @p: the bytes, in kernel memory
 * @n: how many
 *
 * While the flip buffer holds nothing, the bytes go to the slave's
 * discipline (whichever it is) in the caller's context, under the port's
 * buffer lock held exclusively, as TIOCSTI delivers: no workqueue hop.
 * What the discipline does not take (it is full), and everything while
 * older input still waits in the flip buffer or no discipline can be
 * referenced (a change or a hangup is under way), is queued in the flip
 * buffer behind what is there, so bytes never pass each other. The
 * exclusive hold keeps the worker and flushes out while the flip buffer is
 * looked at and the discipline is fed.
 *
 * Context: process context; caller holds @pair->write_lock (the flip
 * buffer's only producer). Takes an ldisc reference, then the port's
 * buffer mutex, then the discipline's locks (termios_rwsem...) and the
 * port lock. Can sleep.
 * Return: the number of bytes taken: delivered or queued.
 */
static size_t mypts_master_deliver(struct mypts_pair *pair, const u8 *p,
				   size_t n)
{
	struct tty_port *port = &pair->port;
	struct tty_ldisc *ld;
	size_t taken = 0;

	ld = tty_ldisc_ref(pair->tty);
	if (!ld)
		return mypts_master_queue(pair, p, n);
	tty_buffer_lock_exclusive(port);
	if (mypts_flip_idle(port))
		taken = mypts_ldisc_receive_buf(ld, p, NULL, n);
	if (taken < n)
		taken += mypts_master_queue(pair, p + taken, n - taken);
	tty_buffer_unlock_exclusive(port);
	tty_ldisc_deref(ld);
	return taken;
}

/**
 * mypts_master_write() - write input for the slave
 * @filp: the master
 * @buf: user buffer
 * @count: its size
 * @ppos: unused
 *
 * The bytes are copied once, into a buffer of this call (on the stack for
 * short writes, else up to MYPTS_WRITE_CHUNK allocated for the call), and
 * handed over from there (mypts_master_deliver()). Blocking writers wait
 * for room until everything is taken; non-blocking ones return what fit,
 * or EAGAIN. Nothing is ever dropped.
 *
 * Context: Process context. Takes @pair->write_lock. Can sleep.
 * Return: bytes written, or -EIO after TIOCVHANGUP, -EAGAIN, -EFAULT,
 * -ENOMEM, -ERESTARTSYS.
 */
static ssize_t mypts_master_write(struct file *filp, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct mypts_pair *pair = filp->private_data;
	u8 small[MYPTS_WRITE_SMALL], *kbuf = small;
	size_t size = sizeof(small), done = 0, pos = 0, len = 0, n;
	ssize_t ret = 0;

	if (test_bit(MYPTS_MASTER_HUNG, &pair->flags))
		return -EIO;
	if (!count)
		return 0;
	if (count > size) {
		/* Without memory the small buffer still does, piece by piece. */
		n = min_t(size_t, count, MYPTS_WRITE_CHUNK);
		kbuf = kmalloc(n, GFP_KERNEL | __GFP_NOWARN);
		if (kbuf)
			size = n;
		else
			kbuf = small;
	}
	if (mutex_lock_interruptible(&pair->write_lock)) {
		ret = -ERESTARTSYS;
		goto out_free;
	}
	while (done < count) {
		if (test_bit(MYPTS_MASTER_HUNG, &pair->flags)) {
			ret = -EIO;
			break;
		}
		/* A full flip buffer means input waits there: no way in. */
		if (test_bit(MYPTS_MASTER_STOPPED, &pair->flags) ||
		    !tty_buffer_space_avail(&pair->port)) {
			if (filp->f_flags & O_NONBLOCK) {
				ret = -EAGAIN;
				break;
			}
			if (wait_event_interruptible(pair->write_wait,
						     mypts_master_writable(pair))) {
				ret = -ERESTARTSYS;
				break;
			}
			continue;
		}
		if (pos == len) {
			len = min(count - done, size);
			if (copy_from_user(kbuf, buf + done, len)) {
				ret = -EFAULT;
				break;
			}
			pos = 0;
		}
		n = mypts_master_deliver(pair, kbuf + pos, len - pos);
		if (!n) {
			ret = -ENOMEM;
			break;
		}
		pos += n;
		done += n;
	}
	mutex_unlock(&pair->write_lock);
out_free:
	if (kbuf != small)
		kfree(kbuf);
	return done ? done : ret;
}

/**
 * mypts_master_poll() - poll a master
 * @filp: the master
 * @wait: the poll table
 *
 * Context: Process context.
 * Return: EPOLLIN when data (or, in packet mode, EPOLLPRI when a status) is
 * waiting, EPOLLOUT when input fits, EPOLLHUP once no user holds the slave.
 */
static __poll_t mypts_master_poll(struct file *filp, poll_table *wait)
{
	struct mypts_pair *pair = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &pair->read_wait, wait);
	poll_wait(filp, &pair->write_wait, wait);
	if (test_bit(MYPTS_MASTER_HUNG, &pair->flags))
		return EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP |
		       EPOLLRDNORM | EPOLLWRNORM;
	if (mypts_out_len(&pair->out))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(pair->packet) && READ_ONCE(pair->pktstatus))
		mask |= EPOLLPRI | EPOLLIN | EPOLLRDNORM;
	if (test_bit(MYPTS_SLAVE_CLOSED, &pair->flags))
		mask |= EPOLLHUP;
	if (mypts_master_writable(pair))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

/*
 * TIOCGPTPEER: open the slave through the instance, without a path walk.
 * Context: process context, no lock held. Can sleep.
 */
static int mypts_master_open_peer(struct file *master, int flags)
{
	struct mypts_pair *pair = master->private_data;
	struct path path;
	struct file *file;
	int fd, err;

	if (test_bit(MYPTS_MASTER_CLOSED, &pair->flags))
		return -EIO;
	fd = get_unused_fd_flags(flags);
	if (fd < 0)
		return fd;
	err = mypts_master_mount(master, &path);
	if (err)
		goto out_put_fd;
	if (path.mnt->mnt_sb != pair->dentry->d_sb) {
		err = -ENODEV;
		goto out_put_path;
	}
	dput(path.dentry);
	path.dentry = dget(pair->dentry);
	file = dentry_open(&path, flags, current_cred());
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto out_put_path;
	}
	path_put(&path);
	fd_install(fd, file);
	return fd;

out_put_path:
	path_put(&path);
out_put_fd:
	put_unused_fd(fd);
	return err;
}

/*
 * TCFLSH on a master: TCIFLUSH drops what the slave wrote and it has not read.
 * Context: process context; takes @pair->read_lock. Can sleep.
 */
static int mypts_master_flush(struct mypts_pair *pair, unsigned long arg)
{
	switch (arg) {
	case TCIFLUSH:
	case TCIOFLUSH:
		if (mutex_lock_interruptible(&pair->read_lock))
			return -ERESTARTSYS;
		mypts_out_flush(pair);
		mutex_unlock(&pair->read_lock);
		tty_wakeup(pair->tty);
		return 0;
	case TCOFLUSH:
		/* Input already queued for the slave is kept: see divergences.rst. */
		return 0;
	}
	return -EINVAL;
}

/*
 * TCXONC on a master: TCOOFF/TCOON stop and restart the master's writes,
 * TCIOFF/TCION send STOP and START characters to the slave.
 * Context: process context; takes @pair->write_lock. Can sleep.
 */
static int mypts_master_xonc(struct mypts_pair *pair, unsigned long arg)
{
	u8 ch;

	switch (arg) {
	case TCOOFF:
		set_bit(MYPTS_MASTER_STOPPED, &pair->flags);
		return 0;
	case TCOON:
		clear_bit(MYPTS_MASTER_STOPPED, &pair->flags);
		wake_up_interruptible_poll(&pair->write_wait, EPOLLOUT);
		return 0;
	case TCIOFF:
	case TCION:
		/* The master's own termios keeps the default ^S and ^Q. */
		ch = arg == TCIOFF ? '\023' : '\021';
		if (mutex_lock_interruptible(&pair->write_lock))
			return -ERESTARTSYS;
		mypts_master_deliver(pair, &ch, 1);
		mutex_unlock(&pair->write_lock);
		return 0;
	}
	return -EINVAL;
}

/* The session a process group belongs to, or NULL. Context: RCU read side. */
static struct pid *mypts_pgrp_session(struct pid *pgrp)
{
	struct task_struct *leader = pid_task(pgrp, PIDTYPE_PGID);

	if (!leader)
		leader = pid_task(pgrp, PIDTYPE_PID);
	return leader ? task_session(leader) : NULL;
}

/*
 * TIOCSPGRP on a master sets the slave's foreground group, with the rules a
 * slave fd has: the caller's controlling terminal must be the slave, and the
 * group must be in the caller's session.
 * Context: process context; takes the slave's ctrl.lock and the RCU read
 * side. May send SIGTTOU (tty_check_change()).
 */
static int mypts_master_set_pgrp(struct tty_struct *tty, pid_t __user *uarg)
{
	struct pid *pgrp;
	pid_t nr;
	int ret;

	ret = tty_check_change(tty);
	if (ret)
		return ret == -EIO ? -ENOTTY : ret;
	if (get_user(nr, uarg))
		return -EFAULT;
	if (nr < 0)
		return -EINVAL;

	spin_lock_irq(&tty->ctrl.lock);
	if (current->signal->tty != tty ||
	    tty->ctrl.session != task_session(current)) {
		ret = -ENOTTY;
		goto out_unlock;
	}
	rcu_read_lock();
	pgrp = find_vpid(nr);
	if (!pgrp)
		ret = -ESRCH;
	else if (mypts_pgrp_session(pgrp) != task_session(current))
		ret = -EPERM;
	if (!ret) {
		put_pid(tty->ctrl.pgrp);
		tty->ctrl.pgrp = get_pid(pgrp);
	}
	rcu_read_unlock();
out_unlock:
	spin_unlock_irq(&tty->ctrl.lock);
	return ret;
}

/*
 * Forward an ioctl that Linux applies to the slave, as the slave file.
 * Context: process context, no lock held; the tty core locks. Can sleep.
 */
static long mypts_master_slave_ioctl(struct mypts_pair *pair, unsigned int cmd,
				     unsigned long arg, bool compat)
{
	struct file *slave = pair->slave_file;
	const struct file_operations *fops = READ_ONCE(slave->f_op);

	if (compat)
		return fops->compat_ioctl ? fops->compat_ioctl(slave, cmd, arg) :
					    -ENOTTY;
	return fops->unlocked_ioctl(slave, cmd, arg);
}

/*
 * Every ioctl of a master. Unknown ones: ENOTTY.
 * Context: process context, no lock held; takes @pair->lock (TIOCPKT) and
 * the slave's ctrl.lock (TIOCGSID) briefly. Can sleep.
 */
static long mypts_master_do_ioctl(struct file *filp, unsigned int cmd,
				  unsigned long arg, bool compat)
{
	struct mypts_pair *pair = filp->private_data;
	void __user *uarg = compat ? compat_ptr(arg) : (void __user *)arg;
	int __user *iarg = uarg;
	struct tty_struct *tty = pair->tty;
	struct winsize ws;
	struct pid *pid;
	unsigned long flags;
	int val, ret;
	u8 ch;

	if (test_bit(MYPTS_MASTER_HUNG, &pair->flags))
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;

	switch (cmd) {
	case TIOCGPTN:
		return put_user((unsigned int)pair->index, (unsigned int __user *)uarg);
	case TIOCSPTLCK:
		if (get_user(val, iarg))
			return -EFAULT;
		if (val)
			set_bit(MYPTS_LOCKED, &pair->flags);
		else
			clear_bit(MYPTS_LOCKED, &pair->flags);
		return 0;
	case TIOCGPTLCK:
		return put_user(test_bit(MYPTS_LOCKED, &pair->flags) ? 1 : 0, iarg);
	case TIOCGPTPEER:
		return mypts_master_open_peer(filp, (int)arg);
	case TIOCPKT:
		if (get_user(val, iarg))
			return -EFAULT;
		spin_lock_irqsave(&pair->lock, flags);
		if (val && !pair->packet)
			pair->pktstatus = 0;
		pair->packet = !!val;
		spin_unlock_irqrestore(&pair->lock, flags);
		return 0;
	case TIOCGPKT:
		return put_user(READ_ONCE(pair->packet) ? 1 : 0, iarg);
	case TIOCSIG:
		val = (int)arg;
		if (val != SIGINT && val != SIGQUIT && val != SIGTSTP)
			return -EINVAL;
		pid = tty_get_pgrp(tty);
		if (pid)
			kill_pgrp(pid, val, 1);
		put_pid(pid);
		return 0;
	case TIOCGPGRP:
		pid = tty_get_pgrp(tty);
		ret = put_user(pid_vnr(pid), (pid_t __user *)uarg);
		put_pid(pid);
		return ret;
	case TIOCGSID:
		spin_lock_irqsave(&tty->ctrl.lock, flags);
		val = tty->ctrl.session ? pid_vnr(tty->ctrl.session) : 0;
		ret = tty->ctrl.session ? 0 : -ENOTTY;
		spin_unlock_irqrestore(&tty->ctrl.lock, flags);
		return ret ? ret : put_user(val, (pid_t __user *)uarg);
	case FIONREAD:
		return put_user(mypts_out_len(&pair->out), iarg);
	case TIOCOUTQ:
		return put_user(0, iarg);
	case TCFLSH:
		return mypts_master_flush(pair, arg);
	case TCXONC:
		return mypts_master_xonc(pair, arg);
	case TCSBRK:
	case TCSBRKP:
	case TIOCSBRK:
	case TIOCCBRK:
		/* No line to send a break on: as a pty master, succeed. */
		return 0;
	case TIOCEXCL:
		set_bit(MYPTS_MASTER_EXCL, &pair->flags);
		return 0;
	case TIOCNXCL:
		clear_bit(MYPTS_MASTER_EXCL, &pair->flags);
		return 0;
	case TIOCGEXCL:
		return put_user(test_bit(MYPTS_MASTER_EXCL, &pair->flags) ? 1 : 0, iarg);
	case TIOCGETD:
		return put_user(N_TTY, iarg);
	case TIOCSETD:
		if (get_user(val, iarg))
			return -EFAULT;
		return val == N_TTY ? 0 : -EINVAL;
	case TIOCNOTTY:
		return -ENOTTY;
	case TIOCCONS:
		return -EINVAL;
	case TIOCSTI:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (get_user(ch, (char __user *)uarg))
			return -EFAULT;
		if (mypts_out_write(pair, tty, &ch, 1))
			wake_up_interruptible_poll(&pair->read_wait, EPOLLIN);
		return 0;
	case TIOCVHANGUP:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		set_bit(MYPTS_MASTER_HUNG, &pair->flags);
		mypts_pair_hangup(pair);
		/* As a hung-up tty file: no more SIGIO. */
		fasync_helper(-1, filp, 0, &pair->fasync);
		return 0;
	case TIOCGDEV:
		return put_user(new_encode_dev(tty_devnum(tty)),
				(unsigned int __user *)uarg);
	case TIOCGWINSZ:
		mutex_lock(&tty->winsize_mutex);
		ws = tty->winsize;
		mutex_unlock(&tty->winsize_mutex);
		return copy_to_user(uarg, &ws, sizeof(ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		if (copy_from_user(&ws, uarg, sizeof(ws)))
			return -EFAULT;
		return tty_do_resize(tty, &ws);
	case TCSETSF:
	case TCSETSF2:
	case TCSETAF:
		return mypts_slave_set_termios_flush(tty, cmd, (unsigned long)uarg);
	case TCGETS:
	case TCSETS:
	case TCSETSW:
	case TCGETS2:
	case TCSETS2:
	case TCSETSW2:
	case TCGETA:
	case TCSETA:
	case TCSETAW:
	case TIOCGLCKTRMIOS:
	case TIOCSLCKTRMIOS:
	case TIOCGSOFTCAR:
	case TIOCSSOFTCAR:
		/* Termios of a master is the slave's, as on Linux. */
		return tty_mode_ioctl(tty, cmd, (unsigned long)uarg);
	case TIOCSPGRP:
		return mypts_master_set_pgrp(tty, uarg);
	case TIOCSCTTY:
		return mypts_master_slave_ioctl(pair, cmd, arg, compat);
	}
	return -ENOTTY;
}

static long mypts_master_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	return mypts_master_do_ioctl(filp, cmd, arg, false);
}

#ifdef CONFIG_COMPAT
static long mypts_master_compat_ioctl(struct file *filp, unsigned int cmd,
				      unsigned long arg)
{
	return mypts_master_do_ioctl(filp, cmd, arg, true);
}
#else
#define mypts_master_compat_ioctl NULL
#endif

/*
 * Context: process context; fasync_helper() takes its own locks. The owner
 * is allocated before the entry is added, so a failure leaves nothing.
 */
static int mypts_master_fasync(int fd, struct file *filp, int on)
{
	struct mypts_pair *pair = filp->private_data;
	int ret;

	if (on) {
		ret = mypts_f_owner_allocate(filp);
		if (ret)
			return ret;
	}
	ret = fasync_helper(fd, filp, on, &pair->fasync);
	if (ret <= 0 || !on)
		return ret;
	/* As a tty: SIGIO goes to the caller unless F_SETOWN says else. */
	__f_setown(filp, task_pid(current), PIDTYPE_TGID, 0);
	return 0;
}

static void mypts_master_show_fdinfo(struct seq_file *m, struct file *filp)
{
	struct mypts_pair *pair = filp->private_data;

	seq_printf(m, "tty-index:\t%d\n", pair->index);
}

static const struct file_operations mypts_master_fops = {
	.owner		= THIS_MODULE,
	.open		= mypts_ptmx_open,
	.release	= mypts_master_release,
	.read		= mypts_master_read,
	.write		= mypts_master_write,
	.poll		= mypts_master_poll,
	.unlocked_ioctl	= mypts_master_ioctl,
	.compat_ioctl	= mypts_master_compat_ioctl,
	.fasync		= mypts_master_fasync,
	.show_fdinfo	= mypts_master_show_fdinfo,
};

/**
 * mypts_ptmx_init() - register the ptmx character device and /dev/myptmx
 *
 * Context: Module init. Can sleep.
 * Return: 0 or a negative errno.
 */
int mypts_ptmx_init(void)
{
	struct device *dev;
	int err;

	err = alloc_chrdev_region(&mypts_ptmx_dev, 0, 1, "myptmx");
	if (err)
		goto err_out;
	cdev_init(&mypts_ptmx_cdev, &mypts_master_fops);
	mypts_ptmx_cdev.owner = THIS_MODULE;
	err = cdev_add(&mypts_ptmx_cdev, mypts_ptmx_dev, 1);
	if (err)
		goto err_unregister_region;
	mypts_ptmx_class = mypts_class_create("myptmx");
	if (IS_ERR(mypts_ptmx_class)) {
		err = PTR_ERR(mypts_ptmx_class);
		goto err_del_cdev;
	}
	mypts_ptmx_class->devnode = mypts_ptmx_devnode;
	dev = device_create(mypts_ptmx_class, NULL, mypts_ptmx_dev, NULL, "myptmx");
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto err_destroy_class;
	}
	return 0;

err_destroy_class:
	class_destroy(mypts_ptmx_class);
err_del_cdev:
	cdev_del(&mypts_ptmx_cdev);
err_unregister_region:
	unregister_chrdev_region(mypts_ptmx_dev, 1);
err_out:
	return err;
}

/**
 * mypts_ptmx_exit() - unregister /dev/myptmx and the ptmx character device
 *
 * Context: Module exit. Can sleep.
 */
void mypts_ptmx_exit(void)
{
	device_destroy(mypts_ptmx_class, mypts_ptmx_dev);
	class_destroy(mypts_ptmx_class);
	cdev_del(&mypts_ptmx_cdev);
	unregister_chrdev_region(mypts_ptmx_dev, 1);
}
