// SPDX-License-Identifier: GPL-2.0
/*
 * super.c - mypts instances: the filesystem type, mount options, remount.
 *
 * Every mount creates a new instance with its own root directory, as devpts
 * does since Linux 4.7. Options are parsed through fs_context, so a bad option
 * fails the mount with a message in the mount's error log and changes nothing,
 * on mount and on remount alike.
 */
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/init_task.h>
#include <linux/nsproxy.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/tty.h>

#include "module/mypts.h"
#include "fs/nodes.h"
#include "fs/super.h"

#define MYPTS_DEFAULT_MODE	0600
#define MYPTS_DEFAULT_PTMXMODE	0000
#define MYPTS_ROOT_INO		1

static atomic_t mypts_instance_ids = ATOMIC_INIT(0);

enum mypts_param {
	MYPTS_OPT_UID,
	MYPTS_OPT_GID,
	MYPTS_OPT_MODE,
	MYPTS_OPT_PTMXMODE,
	MYPTS_OPT_MAX,
	MYPTS_OPT_NEWINSTANCE,
};

static const struct fs_parameter_spec mypts_fs_parameters[] = {
	fsparam_u32("uid", MYPTS_OPT_UID),
	fsparam_u32("gid", MYPTS_OPT_GID),
	fsparam_u32oct("mode", MYPTS_OPT_MODE),
	fsparam_u32oct("ptmxmode", MYPTS_OPT_PTMXMODE),
	fsparam_u32("max", MYPTS_OPT_MAX),
	fsparam_flag("newinstance", MYPTS_OPT_NEWINSTANCE),
	{}
};

static void mypts_opts_init(struct mypts_mount_opts *opts)
{
	opts->uid = GLOBAL_ROOT_UID;
	opts->gid = GLOBAL_ROOT_GID;
	opts->setuid = false;
	opts->setgid = false;
	opts->mode = MYPTS_DEFAULT_MODE;
	opts->ptmxmode = MYPTS_DEFAULT_PTMXMODE;
	opts->max = NR_UNIX98_PTY_MAX;
}

/**
 * mypts_parse_param() - parse one mount option into the context
 * @fc: the mount or remount context; its fs_private holds the new options
 * @param: the option
 *
 * Each value is checked completely before it is stored, and stored only in
 * the context, so a rejected option leaves the instance as it was.
 *
 * Context: Process context, during fsconfig() or mount(). Can sleep.
 * Return: 0, -ENOPARAM for an option that is not ours, or -EINVAL with a
 * message in the context's log.
 */
static int mypts_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct mypts_mount_opts *opts = fc->fs_private;
	struct fs_parse_result result;
	kuid_t uid;
	kgid_t gid;
	int opt;

	opt = fs_parse(fc, mypts_fs_parameters, param, &result);
	if (opt < 0)
		return opt;

	switch (opt) {
	case MYPTS_OPT_UID:
		uid = make_kuid(fc->user_ns, result.uint_32);
		if (!uid_valid(uid))
			return invalfc(fc, "uid %u is not mapped in the mounter's user namespace",
				       result.uint_32);
		opts->uid = uid;
		opts->setuid = true;
		break;
	case MYPTS_OPT_GID:
		gid = make_kgid(fc->user_ns, result.uint_32);
		if (!gid_valid(gid))
			return invalfc(fc, "gid %u is not mapped in the mounter's user namespace",
				       result.uint_32);
		opts->gid = gid;
		opts->setgid = true;
		break;
	case MYPTS_OPT_MODE:
		if (result.uint_32 & ~S_IALLUGO)
			return invalfc(fc, "mode %o has bits beyond 07777",
				       result.uint_32);
		opts->mode = result.uint_32;
		break;
	case MYPTS_OPT_PTMXMODE:
		if (result.uint_32 & ~S_IALLUGO)
			return invalfc(fc, "ptmxmode %o has bits beyond 07777",
				       result.uint_32);
		opts->ptmxmode = result.uint_32;
		break;
	case MYPTS_OPT_MAX:
		if (result.uint_32 > NR_UNIX98_PTY_MAX)
			return invalfc(fc, "max %u out of range 0..%d",
				       result.uint_32, NR_UNIX98_PTY_MAX);
		opts->max = result.uint_32;
		break;
	case MYPTS_OPT_NEWINSTANCE:
		/* Every mount is a new instance; accepted as devpts does. */
		break;
	}
	return 0;
}

/**
 * mypts_show_options() - print an instance's options for /proc/mounts
 * @m: the seq_file being written
 * @root: root dentry of the instance
 *
 * Ids are printed as the reader's user namespace sees them.
 *
 * Context: Process context, under namespace_sem held for reading (VFS).
 * Takes the instance's opts_lock.
 * Return: 0.
 */
static int mypts_show_options(struct seq_file *m, struct dentry *root)
{
	struct mypts_fs_info *fsi = root->d_sb->s_fs_info;
	struct mypts_mount_opts copy;
	struct mypts_mount_opts *opts = &copy;

	mypts_fs_opts(fsi, &copy);
	if (opts->setuid)
		seq_printf(m, ",uid=%u",
			   from_kuid_munged(seq_user_ns(m), opts->uid));
	if (opts->setgid)
		seq_printf(m, ",gid=%u",
			   from_kgid_munged(seq_user_ns(m), opts->gid));
	seq_printf(m, ",mode=%03o", opts->mode);
	seq_printf(m, ",ptmxmode=%03o", opts->ptmxmode);
	if (opts->max < NR_UNIX98_PTY_MAX)
		seq_printf(m, ",max=%u", opts->max);
	return 0;
}

/* Unused dentries go at once: only live nodes stay in the dcache. */
static const struct dentry_operations mypts_dentry_ops = {
	.d_delete	= always_delete_dentry,
};

static const struct super_operations mypts_super_ops = {
	.statfs		= simple_statfs,
	.show_options	= mypts_show_options,
};

/**
 * mypts_fill_super() - set up a new instance and its root directory
 * @sb: the new superblock
 * @fc: the mount context, with the parsed options in fs_private
 *
 * Context: Process context, under @sb->s_umount held for writing. Can sleep.
 * Return: 0 or -ENOMEM. On failure mypts_kill_sb() frees what was set up.
 */
static int mypts_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct mypts_mount_opts *opts = fc->fs_private;
	struct mypts_fs_info *fsi;
	struct inode *inode;

	fsi = kzalloc(sizeof(*fsi), GFP_KERNEL);
	if (!fsi)
		return -ENOMEM;
	fsi->opts = *opts;
	spin_lock_init(&fsi->opts_lock);
	fsi->reserve = current->nsproxy->mnt_ns == init_task.nsproxy->mnt_ns;
	fsi->id = atomic_inc_return(&mypts_instance_ids);
	fsi->sb = sb;
	ida_init(&fsi->indices);
	sb->s_fs_info = fsi;
	pr_debug("instance %u created\n", fsi->id);

	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = MYPTS_SUPER_MAGIC;
	sb->s_op = &mypts_super_ops;
	mypts_set_default_d_op(sb, &mypts_dentry_ops);
	sb->s_time_gran = 1;
	/* Nodes must work in an instance a user namespace mounted. */
	sb->s_iflags &= ~SB_I_NODEV;

	inode = new_inode(sb);
	if (!inode)
		return -ENOMEM;
	inode->i_ino = MYPTS_ROOT_INO;
	inode->i_mode = S_IFDIR | 0755;
	inode->i_uid = make_kuid(fc->user_ns, 0);
	if (!uid_valid(inode->i_uid))
		inode->i_uid = current_fsuid();
	inode->i_gid = make_kgid(fc->user_ns, 0);
	if (!gid_valid(inode->i_gid))
		inode->i_gid = current_fsgid();
	mypts_inode_init_times(inode);
	inode->i_op = &simple_dir_inode_operations;
	inode->i_fop = &simple_dir_operations;
	set_nlink(inode, 2);

	sb->s_root = d_make_root(inode);
	if (!sb->s_root)
		return -ENOMEM;
	return mypts_ptmx_node_create(sb);
}

/**
 * mypts_get_tree() - create a new instance for a mount
 * @fc: the mount context
 *
 * Context: Process context. Can sleep.
 * Return: 0 or a negative errno.
 */
static int mypts_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, mypts_fill_super);
}

/**
 * mypts_reconfigure() - apply the options of a remount
 * @fc: the remount context, parsed completely and without error
 *
 * As on devpts, options not repeated return to their defaults; unlike 6.1's
 * devpts, a remount with a bad option changes nothing at all, because parsing
 * finished before this runs.
 *
 * Context: Process context, under sb->s_umount held for writing. Takes the
 * instance's opts_lock and the ptmx inode's i_rwsem.
 * Return: 0.
 */
static int mypts_reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;
	struct mypts_fs_info *fsi = sb->s_fs_info;
	struct mypts_mount_opts *opts = fc->fs_private;

	lockdep_assert_held_write(&sb->s_umount);
	spin_lock(&fsi->opts_lock);
	fsi->opts = *opts;
	spin_unlock(&fsi->opts_lock);
	mypts_ptmx_node_set_mode(sb, opts->ptmxmode);
	return 0;
}

static void mypts_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations mypts_context_ops = {
	.free		= mypts_free_fc,
	.parse_param	= mypts_parse_param,
	.get_tree	= mypts_get_tree,
	.reconfigure	= mypts_reconfigure,
};

/**
 * mypts_init_fs_context() - start a mount or remount of a mypts instance
 * @fc: the new context
 *
 * Context: Process context. Can sleep.
 * Return: 0 or -ENOMEM.
 */
static int mypts_init_fs_context(struct fs_context *fc)
{
	struct mypts_mount_opts *opts;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	mypts_opts_init(opts);
	fc->fs_private = opts;
	fc->ops = &mypts_context_ops;
	return 0;
}

/**
 * mypts_kill_sb() - tear an instance down
 * @sb: the superblock
 *
 * Context: Process context, at the last deactivation of @sb. Can sleep.
 */
static void mypts_kill_sb(struct super_block *sb)
{
	struct mypts_fs_info *fsi = sb->s_fs_info;

	if (fsi && fsi->ptmx_dentry && !MYPTS_KILL_SB_DROPS_NODES)
		dput(fsi->ptmx_dentry);
	mypts_kill_sb_nodes(sb);
	if (fsi) {
		/* Every pair pinned the instance: none is left to free. */
		ida_destroy(&fsi->indices);
		pr_debug("instance %u destroyed\n", fsi->id);
		kfree(fsi);
	}
}

struct file_system_type mypts_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "mypts",
	.init_fs_context	= mypts_init_fs_context,
	.parameters		= mypts_fs_parameters,
	.kill_sb		= mypts_kill_sb,
	.fs_flags		= FS_USERNS_MOUNT,
};

/**
 * mypts_fs_init() - register the mypts filesystem type
 *
 * Context: Module init. Can sleep.
 * Return: 0 or the error of register_filesystem().
 */
int mypts_fs_init(void)
{
	return register_filesystem(&mypts_fs_type);
}

/**
 * mypts_fs_exit() - unregister the mypts filesystem type
 *
 * Context: Module exit. Can sleep.
 */
void mypts_fs_exit(void)
{
	/*
	 * No instance can exist here: every superblock holds a reference to
	 * the module, so unloading fails with EBUSY while one is mounted.
	 */
	unregister_filesystem(&mypts_fs_type);
}
