/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mypts.h - the pair object and the definitions shared by every layer.
 *
 * Lock order (outermost first; Documentation/locking.rst has the reasons):
 *   pair->write_lock / pair->read_lock (master file operations)
 *     -> the slave port's buffer lock, held exclusively while a master write
 *        feeds the slave's discipline (-> termios_rwsem and the discipline's
 *        locks -> pair->port.lock)
 *     -> tty_mutex, tty_lock (tty core)
 *       -> root inode i_rwsem (node creation and removal)
 *         -> mypts_nodes_lock (spinlock: inode->i_private of slave nodes)
 *   pair->lock and pair->out_lock (spinlocks, irq-safe) are leaves.
 */
#ifndef _MYPTS_H
#define _MYPTS_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/tty_port.h>
#include <linux/wait.h>

#include "module/outbuf.h"

/* Superblock magic of a mypts instance: "mypt" in ASCII. */
#define MYPTS_SUPER_MAGIC	0x6d797074

/*
 * Capacity of each direction, at least Linux's (20 KiB each way on 6.1:
 * flip buffers in 256-byte accounting plus n_tty's 4 KiB).
 * Slave to master: our queue (module/outbuf.c), allocated as it fills.
 */
#define MYPTS_OUT_SIZE		32768
/* Master to slave: the flip buffer's limit, ahead of the discipline's 4 KiB. */
#define MYPTS_IN_LIMIT		16384

struct mypts_fs_info;
struct vfsmount;

/* Bits of mypts_pair.flags. */
enum {
	MYPTS_LOCKED,		/* slave opens fail with EIO (TIOCSPTLCK) */
	MYPTS_MASTER_CLOSED,	/* the master file is gone: slave opens fail */
	MYPTS_SLAVE_CLOSED,	/* the last user slave fd closed: master EIO */
	MYPTS_MASTER_HUNG,	/* TIOCVHANGUP on the master */
	MYPTS_MASTER_EXCL,	/* TIOCEXCL on the master, for TIOCGEXCL */
	MYPTS_MASTER_STOPPED,	/* TCOOFF on the master: its writes wait */
	MYPTS_NODE_GONE,	/* the slave node was removed */
	MYPTS_RELEASED,		/* index and accounting given back */
};

/**
 * struct mypts_pair - one master/slave pseudo-terminal pair
 * @kref: references: the master file, and the slave tty from install to
 *	cleanup
 * @index: number of the pair in its instance (the slave node's name)
 * @fsi: the instance; valid until the pair is released (mypts_pair_release)
 * @mnt: private mount of the instance; pins the superblock for the pair,
 *	without pinning any mount a user made
 * @dentry: the slave node; our reference lasts until the pair is released
 * @slave_file: the slave opened by the kernel, so the slave tty lives as
 *	long as the master does
 * @opener: the task allocating the pair, while it opens the slave itself;
 *	only it may create the slave tty or open the locked slave
 * @tty: the slave tty; set by install and cleared by remove, both under
 *	tty_mutex
 * @port: the slave's tty_port, with the master-to-slave flip buffer
 * @flags: MYPTS_* bits, atomic
 * @lock: protects @pktstatus, @packet and @flush_owner
 * @pktstatus: pending TIOCPKT_* events for the master
 * @packet: packet mode is on
 * @flush_owner: task inside the slave's TCFLSH, so its flush_buffer call
 *	is told apart from the one an ISIG character makes
 * @out_lock: protects @out's chunk list and counts; serialises its
 *	producers (slave writes, TIOCSTI)
 * @out: slave-to-master bytes; the one consumer holds @read_lock
 * @read_lock: serialises master readers, and TCIFLUSH of @out
 * @write_lock: serialises master writers, so writes do not interleave
 * @read_wait: master readers and pollers wait here
 * @write_wait: master writers and pollers wait here
 * @fasync: SIGIO subscribers of the master
 */
struct mypts_pair {
	struct kref kref;
	int index;
	struct mypts_fs_info *fsi;
	struct vfsmount *mnt;
	struct dentry *dentry;
	struct file *slave_file;
	struct task_struct *opener;
	struct tty_struct *tty;
	struct tty_port port;
	unsigned long flags;

	spinlock_t lock;		/* packet state: see @lock above */
	u8 pktstatus;
	bool packet;
	struct task_struct *flush_owner;

	spinlock_t out_lock;		/* producers of @out */
	struct mypts_outbuf out;
	struct mutex read_lock;		/* the consumer of @out */
	struct mutex write_lock;	/* master writers */
	wait_queue_head_t read_wait;
	wait_queue_head_t write_wait;
	struct fasync_struct *fasync;
};

#endif /* _MYPTS_H */
