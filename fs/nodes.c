// SPDX-License-Identifier: GPL-2.0
/*
 * nodes.c - the nodes of an instance: "ptmx", and one node per live pair,
 * named by its number, created before the ptmx open that makes the pair
 * returns and removed when the pair's master closes.
 *
 * A slave node's inode points at its pair through i_private, under
 * mypts_nodes_lock; mypts_slave_node_kill() clears the pointer, so an open
 * through a stale dentry finds no pair and fails.
 */
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/namei.h>
#include <linux/spinlock.h>

#include "module/mypts.h"
#include "module/ptmx.h"
#include "fs/nodes.h"
#include "fs/super.h"

#define MYPTS_PTMX_INO		2
#define MYPTS_FIRST_SLAVE_INO	3

static DEFINE_SPINLOCK(mypts_nodes_lock);

static struct inode *mypts_node_inode(struct super_block *sb, unsigned long ino,
				      umode_t mode, dev_t rdev)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = ino;
	mypts_inode_init_times(inode);
	init_special_inode(inode, S_IFCHR | mode, rdev);
	return inode;
}

/**
 * mypts_ptmx_node_create() - create the "ptmx" node of a new instance
 * @sb: the instance's superblock, its root made
 *
 * The node belongs to the mounter and opens the mypts ptmx device, which
 * allocates pairs in this instance.
 *
 * Context: Process context, mounting: under @sb->s_umount. Can sleep.
 * Return: 0 or -ENOMEM.
 */
int mypts_ptmx_node_create(struct super_block *sb)
{
	struct mypts_fs_info *fsi = sb->s_fs_info;
	struct dentry *root = sb->s_root;
	struct dentry *dentry;
	struct inode *inode;
	int err = -ENOMEM;

	inode_lock(d_inode(root));
	dentry = d_alloc_name(root, "ptmx");
	if (!dentry)
		goto out_unlock;
	inode = mypts_node_inode(sb, MYPTS_PTMX_INO, fsi->opts.ptmxmode,
				 mypts_ptmx_devt());
	if (!inode) {
		dput(dentry);
		goto out_unlock;
	}
	inode->i_uid = current_fsuid();
	inode->i_gid = current_fsgid();
	d_add(dentry, inode);
	fsi->ptmx = inode;
	fsi->ptmx_dentry = dentry;
	err = 0;
out_unlock:
	inode_unlock(d_inode(root));
	return err;
}

/**
 * mypts_ptmx_node_set_mode() - apply a new ptmxmode to the ptmx node
 * @sb: the instance's superblock
 * @mode: permission bits
 *
 * Context: Process context, remounting: under @sb->s_umount. Takes the
 * ptmx inode's i_rwsem. Can sleep.
 */
void mypts_ptmx_node_set_mode(struct super_block *sb, umode_t mode)
{
	struct mypts_fs_info *fsi = sb->s_fs_info;
	struct inode *inode = fsi->ptmx;

	inode_lock(inode);
	inode->i_mode = S_IFCHR | mode;
	mypts_inode_touch_ctime(inode);
	inode_unlock(inode);
}

/**
 * mypts_slave_node_create() - create the node of a new pair
 * @sb: the instance's superblock
 * @pair: the pair, its index allocated
 * @rdev: device number of the slave tty
 *
 * Owner and mode come from the mount options, else from the opener's fsuid
 * and fsgid, as on devpts. Watchers of the root see the creation.
 *
 * Context: Process context. Takes the instance's opts_lock, the root
 * inode's i_rwsem and mypts_nodes_lock. Can sleep.
 * Return: the node's dentry, with a reference for the caller, or an
 * ERR_PTR (-ENOMEM, or -EEXIST if the name is somehow taken).
 */
struct dentry *mypts_slave_node_create(struct super_block *sb,
				       struct mypts_pair *pair, dev_t rdev)
{
	struct mypts_fs_info *fsi = sb->s_fs_info;
	struct dentry *root = sb->s_root;
	struct mypts_mount_opts opts;
	struct dentry *dentry;
	struct inode *inode;
	char name[12];

	mypts_fs_opts(fsi, &opts);
	inode = mypts_node_inode(sb, MYPTS_FIRST_SLAVE_INO + pair->index,
				 opts.mode, rdev);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_uid = opts.setuid ? opts.uid : current_fsuid();
	inode->i_gid = opts.setgid ? opts.gid : current_fsgid();
	spin_lock(&mypts_nodes_lock);
	inode->i_private = pair;
	spin_unlock(&mypts_nodes_lock);

	snprintf(name, sizeof(name), "%d", pair->index);
	inode_lock(d_inode(root));
	dentry = mypts_lookup_cached(root, &(struct qstr)QSTR_INIT(name, strlen(name)));
	if (IS_ERR(dentry))
		goto out_iput;
	if (dentry && d_really_is_negative(dentry)) {
		/* A remembered miss: take it out of the way. */
		d_drop(dentry);
		dput(dentry);
	} else if (dentry) {
		/* A live node of that name: the index allocator failed us. */
		dput(dentry);
		dentry = ERR_PTR(-EEXIST);
		goto out_iput;
	}
	dentry = d_alloc_name(root, name);
	if (!dentry) {
		dentry = ERR_PTR(-ENOMEM);
		goto out_iput;
	}
	d_add(dentry, inode);
	fsnotify_create(d_inode(root), dentry);
	inode_unlock(d_inode(root));
	return dentry;

out_iput:
	inode_unlock(d_inode(root));
	iput(inode);
	return dentry;
}

/**
 * mypts_slave_node_kill() - remove a pair's node
 * @dentry: the node, as mypts_slave_node_create() returned it
 *
 * The name goes away at once; open files of the node keep the inode, but
 * it no longer leads to the pair. The creator's reference stays with the
 * caller, to be dropped before the instance may end.
 *
 * Context: Process context. Takes the root inode's i_rwsem and
 * mypts_nodes_lock. Can sleep.
 */
void mypts_slave_node_kill(struct dentry *dentry)
{
	struct inode *dir = d_inode(dentry->d_sb->s_root);
	struct inode *inode = d_inode(dentry);

	inode_lock(dir);
	spin_lock(&mypts_nodes_lock);
	inode->i_private = NULL;
	spin_unlock(&mypts_nodes_lock);
	drop_nlink(inode);
	d_drop(dentry);
	fsnotify_unlink(dir, dentry);
	inode_unlock(dir);
}

/**
 * mypts_slave_node_lock() - the pair a slave node leads to, held in place
 * @inode: an inode that opened as a mypts slave
 *
 * Returns with mypts_nodes_lock held, whatever it returns: until
 * mypts_slave_node_unlock(), the node cannot be killed, so a pair returned
 * cannot be freed.
 *
 * Context: Any context; takes mypts_nodes_lock. Must not sleep until
 * mypts_slave_node_unlock().
 * Return: the pair, or NULL for a node of a closed master or a foreign one.
 */
struct mypts_pair *mypts_slave_node_lock(struct inode *inode)
	__acquires(&mypts_nodes_lock)
{
	bool ours = mypts_sb_info(inode->i_sb) &&
		    inode->i_ino >= MYPTS_FIRST_SLAVE_INO;

	spin_lock(&mypts_nodes_lock);
	return ours ? inode->i_private : NULL;
}

/**
 * mypts_slave_node_unlock() - end of mypts_slave_node_lock()
 *
 * Context: Holds mypts_nodes_lock; releases it.
 */
void mypts_slave_node_unlock(void)
	__releases(&mypts_nodes_lock)
{
	spin_unlock(&mypts_nodes_lock);
}
