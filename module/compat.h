/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the one place that knows kernel versions.
 *
 * Force-included into every object by Kbuild. Core files never test
 * LINUX_VERSION_CODE; each difference between supported kernels becomes a
 * MYPTS_HAVE_* capability or a small wrapper here.
 */
#ifndef _MYPTS_COMPAT_H
#define _MYPTS_COMPAT_H

#include <linux/version.h>

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "mypts needs Linux 6.1 or later"
#endif

struct ktermios;

/* Type of the old termios handed to tty_operations.set_termios. */
#define MYPTS_OLD_TERMIOS const struct ktermios

#include <linux/dcache.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/tty.h>
#include <linux/tty_flip.h>
#include <linux/tty_ldisc.h>
#include <linux/tty_port.h>
#include <linux/workqueue.h>

/*
 * A lookup in the dcache only, without permission checks: d_hash_and_lookup()
 * became try_lookup_noperm() (6.15). NULL when not cached.
 */
static inline struct dentry *mypts_lookup_cached(struct dentry *parent,
						 struct qstr *name)
{
#ifdef MYPTS_HAVE_TRY_LOOKUP_NOPERM
	return try_lookup_noperm(name, parent);
#else
	return d_hash_and_lookup(parent, name);
#endif
}

/* A superblock's default dentry operations: a setter since 6.17. */
static inline void mypts_set_default_d_op(struct super_block *sb,
					  const struct dentry_operations *ops)
{
#ifdef MYPTS_HAVE_SET_DEFAULT_D_OP
	set_default_d_op(sb, ops);
#else
	sb->s_d_op = ops;
#endif
}

/*
 * Tearing down a filesystem whose tree lives only in the dcache: until
 * kill_litter_super() went away, it dropped the reference each node was
 * created with; now the filesystem drops its own before kill_anon_super().
 */
#ifdef MYPTS_HAVE_KILL_LITTER_SUPER
#define MYPTS_KILL_SB_DROPS_NODES	1
static inline void mypts_kill_sb_nodes(struct super_block *sb)
{
	kill_litter_super(sb);
}
#else
#define MYPTS_KILL_SB_DROPS_NODES	0
static inline void mypts_kill_sb_nodes(struct super_block *sb)
{
	kill_anon_super(sb);
}
#endif

/*
 * Since 6.12 a file's owner (F_SETOWN, SIGIO) is allocated on first use:
 * __f_setown() warns and does nothing on a file without one, so a
 * ->fasync that sets the owner allocates it first.
 */
#ifdef MYPTS_HAVE_FILE_F_OWNER_ALLOCATE
static inline int mypts_f_owner_allocate(struct file *filp)
{
	return file_f_owner_allocate(filp);
}
#else
static inline int mypts_f_owner_allocate(struct file *filp)
{
	return 0;
}
#endif

/*
 * Since 7.0 a tty driver gets a flip-buffer workqueue of its own, linked at
 * registration to every port in driver->ports, which a driver that
 * allocates its ports (as ptys do) lacks. Such a driver opts out and links
 * each port itself.
 */
#ifdef MYPTS_HAVE_TTY_FLIP_WQ
#define MYPTS_TTY_DRIVER_WQ_FLAGS	TTY_DRIVER_NO_WORKQUEUE
static inline void mypts_port_link_wq(struct tty_port *port)
{
	tty_port_link_wq(port, system_unbound_wq);
}
#else
#define MYPTS_TTY_DRIVER_WQ_FLAGS	0
static inline void mypts_port_link_wq(struct tty_port *port)
{
}
#endif

/* class_create() lost its owner argument in 6.4. */
#if KERNEL_VERSION(6, 4, 0) > LINUX_VERSION_CODE
#define mypts_class_create(name)	class_create(THIS_MODULE, name)
#else
#define mypts_class_create(name)	class_create(name)
#endif

/* A class's devnode() takes a const device since 6.2 (probed). */
#ifdef MYPTS_HAVE_CONST_DEVNODE
#define MYPTS_DEVNODE_DEV	const struct device
#else
#define MYPTS_DEVNODE_DEV	struct device
#endif

/*
 * Until 6.6 register_sysctl() walked a table up to an empty sentinel entry;
 * since then it takes the table's size, and 6.11 rejects such an entry.
 */
#if KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
#define MYPTS_SYSCTL_SENTINEL	{ }
#else
#define MYPTS_SYSCTL_SENTINEL
#endif

/* Inode times became private fields with accessors in 6.6 (ctime) and 6.7. */
static inline void mypts_inode_init_times(struct inode *inode)
{
#if KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
	inode->i_mtime = current_time(inode);
	inode->i_atime = inode->i_mtime;
	inode->i_ctime = inode->i_mtime;
#elif KERNEL_VERSION(6, 7, 0) > LINUX_VERSION_CODE
	inode->i_mtime = inode_set_ctime_current(inode);
	inode->i_atime = inode->i_mtime;
#else
	simple_inode_init_ts(inode);
#endif
}

static inline void mypts_inode_touch_ctime(struct inode *inode)
{
#if KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
	inode->i_ctime = current_time(inode);
#else
	inode_set_ctime_current(inode);
#endif
}

/*
 * tty_operations.write, the tty_port client's receive_buf and lookahead_buf,
 * and tty_ldisc_receive_buf() moved to u8 and size_t in 6.6.
 */
#if KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
#define MYPTS_TTY_WRITE_RET	int
#define MYPTS_TTY_WRITE_COUNT	int
#define MYPTS_PORT_RECV_RET	int
#define MYPTS_LOOKAHEAD_COUNT	unsigned int
static inline size_t mypts_ldisc_receive_buf(struct tty_ldisc *ld, const u8 *p,
					     const u8 *f, size_t count)
{
	return tty_ldisc_receive_buf(ld, p, (char *)f, count);
}
#else
#define MYPTS_TTY_WRITE_RET	ssize_t
#define MYPTS_TTY_WRITE_COUNT	size_t
#define MYPTS_PORT_RECV_RET	size_t
#define MYPTS_LOOKAHEAD_COUNT	size_t
static inline size_t mypts_ldisc_receive_buf(struct tty_ldisc *ld, const u8 *p,
					     const u8 *f, size_t count)
{
	return tty_ldisc_receive_buf(ld, p, f, count);
}
#endif

/*
 * The flag and count types of a line discipline's receive_buf and
 * receive_buf2 (u8 and size_t since 6.6).
 */
#if KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
#define MYPTS_LD_FLAGS		const char
#define MYPTS_LD_COUNT		int
#define MYPTS_LD_RECV2_RET	int
#else
#define MYPTS_LD_FLAGS		const u8
#define MYPTS_LD_COUNT		size_t
#define MYPTS_LD_RECV2_RET	size_t
#endif

/*
 * Restart a port's flip-buffer worker, as tty_buffer_restart_work() (not
 * exported) does: on the port's own workqueue since 7.0. Before that the
 * core queues on system_unbound_wq (system_dfl_wq from 6.18); which of the
 * two runs the work does not matter, flush_to_ldisc() serialises itself.
 *
 * The line discipline also re-implements tty_throttle_safe(),
 * tty_unthrottle_safe() and __tty_check_change() and reads tty->ctrl and
 * tty->flow directly (ldisc.c, ldisc_rw.c): re-check them on every new
 * kernel.
 */
static inline void mypts_flip_restart(struct tty_port *port)
{
#ifdef MYPTS_HAVE_TTY_FLIP_WQ
	queue_work(port->buf.flip_wq ? port->buf.flip_wq : system_unbound_wq,
		   &port->buf.work);
#else
	queue_work(system_unbound_wq, &port->buf.work);
#endif
}

/*
 * Does a port's flip buffer hold no byte its worker has yet to deliver?
 * The core has no helper for this; its buffer chain (struct tty_bufhead
 * and struct tty_buffer, include/linux/tty_buffer.h) is read as
 * flush_to_ldisc() and tty_buffer_unlock_exclusive() read it: a buffer is
 * done when its read mark reached its commit mark. Re-check these fields
 * on every new kernel.
 *
 * Context: the caller holds the port's buffer lock exclusively
 * (tty_buffer_lock_exclusive()), so neither the worker nor a flush moves
 * the chain, and is the buffer's only producer, so nothing is added.
 */
static inline bool mypts_flip_idle(struct tty_port *port)
{
	struct tty_buffer *b;

	for (b = port->buf.head; b; b = b->next)
		if (b->commit != b->read)
			return false;
	return true;
}

/*
 * Run a port's flip-buffer work in the caller's context rather than wait
 * for the worker: the work's function is flush_to_ldisc() (static in the
 * core), which takes the buffer lock itself, so it may run here while the
 * worker runs it too; whichever comes second finds less or nothing to do.
 *
 * Context: process context, no lock the discipline's receive path takes
 * (termios_rwsem, the port's buffer lock) held. Can sleep.
 */
static inline void mypts_flip_run(struct tty_port *port)
{
	port->buf.work.func(&port->buf.work);
}

struct tty_struct;

/*
 * Exported by the tty core (EXPORT_SYMBOL) but declared only in the
 * private drivers/tty/tty.h.
 */
int tty_check_change(struct tty_struct *tty);

/*
 * A new tty inside its driver's install op holds an N_TTY discipline that
 * tty_ldisc_init() attached and that is not open yet: tty_init_dev() opens
 * it after install. Point it at @ops instead, so that the first open is
 * already ours. The discipline's only reference is its owner module's:
 * get_ldops() took one on N_TTY's (built in: none) and tty_ldisc_put()
 * will drop one on @ops' owner, so take that here. Same in 6.1, 6.12 and
 * 7.x (struct tty_ldisc is { ops, tty }; ldisc ops carry no count since
 * 5.14).
 */
static inline void mypts_ldisc_preset(struct tty_struct *tty,
				      struct tty_ldisc_ops *ops)
{
	__module_get(ops->owner);
	tty->ldisc->ops = ops;
}

/* follow_down() gained a flags argument in 6.3. */
static inline int mypts_follow_down(struct path *path)
{
#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
	return follow_down(path);
#else
	return follow_down(path, 0);
#endif
}

#endif /* _MYPTS_COMPAT_H */
