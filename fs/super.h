/* SPDX-License-Identifier: GPL-2.0 */
/*
 * super.h - mypts instances (superblocks) and their mount options.
 */
#ifndef _MYPTS_SUPER_H
#define _MYPTS_SUPER_H

#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>

/**
 * struct mypts_mount_opts - the options of one instance
 * @uid: owner of new slave nodes, when @setuid
 * @gid: group of new slave nodes, when @setgid
 * @setuid: @uid was given; otherwise nodes belong to the opener's fsuid
 * @setgid: @gid was given; otherwise nodes belong to the opener's fsgid
 * @mode: permission bits of new slave nodes
 * @ptmxmode: permission bits of the instance's ptmx node
 * @max: most pairs the instance may hold at once
 *
 * Written at mount, and at remount under the superblock's s_umount held for
 * writing and the instance's @opts_lock; readers copy what they need under
 * @opts_lock (mypts_fs_opts()).
 */
struct mypts_mount_opts {
	kuid_t uid;
	kgid_t gid;
	bool setuid;
	bool setgid;
	umode_t mode;
	umode_t ptmxmode;
	unsigned int max;
};

/**
 * struct mypts_fs_info - one mypts instance
 * @opts: the mount options in force
 * @opts_lock: protects @opts against a remount while nodes are made
 * @id: instance number, for debug messages only
 * @reserve: mounted from the initial mount namespace, so may use the reserve
 * @sb: the instance's superblock
 * @ptmx: the instance's ptmx inode
 * @ptmx_dentry: its dentry, holding the reference it was created with
 * @indices: allocated pair numbers (the IDA locks itself)
 */
struct mypts_fs_info {
	struct mypts_mount_opts opts;
	spinlock_t opts_lock;	/* @opts after mount */
	unsigned int id;
	bool reserve;
	struct super_block *sb;
	struct inode *ptmx;
	struct dentry *ptmx_dentry;
	struct ida indices;
};

extern struct file_system_type mypts_fs_type;

/**
 * mypts_sb_info() - the instance of a superblock, if it is a mypts one
 * @sb: any superblock
 *
 * Context: Any context.
 * Return: the instance, or NULL when @sb belongs to another filesystem.
 */
static inline struct mypts_fs_info *mypts_sb_info(struct super_block *sb)
{
	return sb->s_type == &mypts_fs_type ? sb->s_fs_info : NULL;
}

/**
 * mypts_fs_opts() - a consistent copy of an instance's options
 * @fsi: the instance
 * @opts: where to copy them
 *
 * Context: Any context; takes @fsi->opts_lock.
 */
static inline void mypts_fs_opts(struct mypts_fs_info *fsi,
				 struct mypts_mount_opts *opts)
{
	spin_lock(&fsi->opts_lock);
	*opts = fsi->opts;
	spin_unlock(&fsi->opts_lock);
}

int mypts_fs_init(void);
void mypts_fs_exit(void);

#endif /* _MYPTS_SUPER_H */
