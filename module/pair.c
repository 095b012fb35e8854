// SPDX-License-Identifier: GPL-2.0
/*
 * pair.c - allocation and lifetime of master/slave pairs.
 *
 * A pair is made inside the open() of a ptmx node, so there is no window in
 * which a lookup without an open could leak it. It then lives in three
 * stages:
 *
 *  1. live: the master file and the kernel's own slave file exist; the slave
 *     node is in the instance's root.
 *  2. master closed (mypts_pair_hangup(), then the master's release): the
 *     node is gone, the slave hung up, the kernel's slave file closed; slave
 *     fds users hold remain.
 *  3. released (mypts_pair_release(), from the slave tty's remove): every
 *     slave fd is closed; the number and the limits are given back and the
 *     instance is no longer pinned. The memory goes with the last reference.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/mount.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/tty.h>

#include "module/mypts.h"
#include "module/pair.h"
#include "module/slave.h"
#include "fs/index.h"
#include "fs/nodes.h"
#include "fs/super.h"

/*
 * A private mount of the instance for the kernel's slave file: it keeps the
 * superblock alive while the pair exists, and no mount a user made is busy
 * because of it.
 */
static struct vfsmount *mypts_private_mount(struct super_block *sb)
{
	struct fs_context *fc;
	struct vfsmount *mnt;

	/*
	 * A mount context that holds the instance's root and one active
	 * reference, as a remount's context does (fs_context_for_reconfigure()
	 * is no longer exported in 7.x); put_fs_context() drops both. The
	 * superblock is active: the caller opened a file on it.
	 */
	fc = fs_context_for_mount(&mypts_fs_type, 0);
	if (IS_ERR(fc))
		return ERR_CAST(fc);
	atomic_inc(&sb->s_active);
	fc->root = dget(sb->s_root);
	mnt = vfs_create_mount(fc);
	put_fs_context(fc);
	return mnt;
}

/*
 * Remove the slave node from the instance's root, once.
 * Context: process context; takes the root's i_rwsem. Can sleep.
 */
static void mypts_pair_kill_node(struct mypts_pair *pair)
{
	if (!test_and_set_bit(MYPTS_NODE_GONE, &pair->flags))
		mypts_slave_node_kill(pair->dentry);
}

static void mypts_pair_free(struct kref *kref)
{
	struct mypts_pair *pair = container_of(kref, struct mypts_pair, kref);

	pr_debug("pair %d destroyed\n", pair->index);
	tty_port_destroy(&pair->port);
	kfifo_free(&pair->out);
	kfree(pair);
}

/**
 * mypts_pair_get() - take a reference to a pair
 * @pair: the pair
 *
 * Context: Any context.
 */
void mypts_pair_get(struct mypts_pair *pair)
{
	kref_get(&pair->kref);
}

/**
 * mypts_pair_put() - drop a reference to a pair
 * @pair: the pair
 *
 * Context: Process context: the last put frees the port. Can sleep.
 */
void mypts_pair_put(struct mypts_pair *pair)
{
	kref_put(&pair->kref, mypts_pair_free);
}

/**
 * mypts_pair_release() - give back a pair's number and limits, unpin the
 * instance
 * @pair: the pair; its master is closed and no slave fd is left
 *
 * Runs once; later calls do nothing.
 *
 * Context: Process context, under tty_mutex when called from the slave
 * tty's remove. Can sleep (only if the node is still there: a failed
 * allocation). The mount itself goes through task work.
 */
void mypts_pair_release(struct mypts_pair *pair)
{
	if (test_and_set_bit(MYPTS_RELEASED, &pair->flags))
		return;
	mypts_pair_kill_node(pair);
	dput(pair->dentry);
	pair->dentry = NULL;
	mypts_index_free(pair->fsi, pair->index);
	pair->fsi = NULL;
	/* Last: may end the instance, which must hold no dentry of ours. */
	mntput(pair->mnt);
	pair->mnt = NULL;
}

/**
 * mypts_pair_create() - allocate a pair in an instance
 * @sb: the instance's superblock, active
 *
 * Takes a number, makes the slave node, opens the slave from the kernel so
 * its tty exists, puts our line discipline on it, and locks the slave as
 * devpts does. On failure everything
 * is undone.
 *
 * Context: Process context, inside the open() of a ptmx node. Can sleep.
 * Return: the pair, with one reference for the master file, or an ERR_PTR:
 * -ENOSPC at a limit, -ENOMEM, or the slave open's error.
 */
struct mypts_pair *mypts_pair_create(struct super_block *sb)
{
	struct mypts_fs_info *fsi = sb->s_fs_info;
	struct mypts_pair *pair;
	struct file *file;
	int err;

	pair = kzalloc(sizeof(*pair), GFP_KERNEL);
	if (!pair)
		return ERR_PTR(-ENOMEM);
	kref_init(&pair->kref);
	spin_lock_init(&pair->lock);
	spin_lock_init(&pair->out_lock);
	mutex_init(&pair->read_lock);
	mutex_init(&pair->write_lock);
	init_waitqueue_head(&pair->read_wait);
	init_waitqueue_head(&pair->write_wait);
	mypts_slave_port_init(pair);
	set_bit(MYPTS_LOCKED, &pair->flags);
	err = kfifo_alloc(&pair->out, MYPTS_OUT_SIZE, GFP_KERNEL);
	if (err)
		goto out_free;

	pair->index = mypts_index_alloc(fsi);
	if (pair->index < 0) {
		err = pair->index;
		goto out_free_fifo;
	}
	pair->fsi = fsi;
	/*
	 * Numbered, it is an object of its own from here: every way out,
	 * including the failures below, says "destroyed".
	 */
	pr_debug("pair %d created\n", pair->index);

	pair->mnt = mypts_private_mount(sb);
	if (IS_ERR(pair->mnt)) {
		err = PTR_ERR(pair->mnt);
		goto out_free_index;
	}

	pair->dentry = mypts_slave_node_create(sb, pair,
					       mypts_slave_devt(pair->index));
	if (IS_ERR(pair->dentry)) {
		err = PTR_ERR(pair->dentry);
		goto out_put_mnt;
	}

	WRITE_ONCE(pair->opener, current);
	file = dentry_open(&(struct path){ .mnt = pair->mnt, .dentry = pair->dentry },
			   O_RDWR | O_NOCTTY | O_LARGEFILE, current_cred());
	WRITE_ONCE(pair->opener, NULL);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto out_kill_node;
	}
	/* The slave's install gave it our discipline before its first open. */
	pair->slave_file = file;
	return pair;

out_kill_node:
	if (test_bit(MYPTS_RELEASED, &pair->flags)) {
		/*
		 * The tty was made and released again inside the failed open:
		 * its remove took the node away, gave the number back and
		 * unpinned the instance; its cleanup drops its reference.
		 */
		mypts_pair_put(pair);
		return ERR_PTR(err);
	}
	mypts_pair_kill_node(pair);
	dput(pair->dentry);
out_put_mnt:
	mntput(pair->mnt);
out_free_index:
	pr_debug("pair %d destroyed\n", pair->index);
	mypts_index_free(fsi, pair->index);
out_free_fifo:
	kfifo_free(&pair->out);
out_free:
	tty_port_destroy(&pair->port);
	kfree(pair);
	return ERR_PTR(err);
}

/**
 * mypts_pair_hangup() - the master is closing, or was hung up
 * @pair: the pair
 *
 * Removes the slave node and hangs the slave up: its fds read EOF and write
 * EIO, its session leader gets SIGHUP. The kernel's slave file stays until
 * the master's release, and the number stays taken until the last slave fd
 * closes. Runs once; later calls do nothing.
 *
 * Context: Process context, from the master's release or TIOCVHANGUP.
 * Can sleep.
 */
void mypts_pair_hangup(struct mypts_pair *pair)
{
	if (test_and_set_bit(MYPTS_MASTER_CLOSED, &pair->flags))
		return;
	wake_up_interruptible_poll(&pair->read_wait, EPOLLIN | EPOLLHUP);
	wake_up_interruptible_poll(&pair->write_wait, EPOLLOUT | EPOLLHUP);
	mypts_pair_kill_node(pair);
	/* As pty.c: a reader asleep on the slave wakes with EIO, then EOF. */
	set_bit(TTY_OTHER_CLOSED, &pair->tty->flags);
	wake_up_interruptible(&pair->tty->read_wait);
	wake_up_interruptible(&pair->tty->write_wait);
	tty_vhangup(pair->tty);
}
