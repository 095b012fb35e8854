// SPDX-License-Identifier: GPL-2.0
/*
 * module_test - loading, unloading and the filesystem type registration.
 *
 * These tests unload and reload mypts.ko (path in $MYPTS_KO) and always
 * leave it loaded, with dynamic debug on, as the guest's init had it.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mypts_util.h"

static int fs_listed(void)
{
	return mypts_file_has_line("/proc/filesystems", "nodev\tmypts");
}

FIXTURE(mod) {
	char dir[64];
};

FIXTURE_SETUP(mod)
{
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(1, mypts_mod_count()) TH_LOG("mypts.ko is not loaded");
}

FIXTURE_TEARDOWN(mod)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
	if (mypts_mod_count() == 0 && mypts_mod_load())
		TH_LOG("could not reload %s: %s", mypts_ko_path(), strerror(errno));
}

TEST_F(mod, loaded_and_registered)
{
	EXPECT_EQ(1, mypts_mod_count());
	EXPECT_EQ(1, fs_listed());
}

TEST_F(mod, unload_refused_while_mounted)
{
	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, NULL));
	EXPECT_EQ(-1, mypts_mod_unload());
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(1, mypts_mod_count());
	EXPECT_EQ(MYPTS_MAGIC, mypts_fs_magic(self->dir));

	ASSERT_EQ(0, umount(self->dir));
	EXPECT_EQ(0, mypts_mod_unload()) TH_LOG("unload: %s", strerror(errno));
	EXPECT_EQ(0, mypts_mod_count());
	EXPECT_EQ(0, fs_listed());
	/* Without the module there is no such filesystem. */
	EXPECT_EQ(-1, mount("mypts", self->dir, "mypts", 0, NULL));
	EXPECT_EQ(ENODEV, errno);

	ASSERT_EQ(0, mypts_mod_load());
	EXPECT_EQ(1, fs_listed());
}

TEST_F(mod, reload_twice_refused)
{
	EXPECT_EQ(-1, mypts_mod_load());
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(1, mypts_mod_count());
}

TEST_F_TIMEOUT(mod, hundred_cycles_leave_no_trace, 300)
{
	long inodes, dentries, now;
	int i;

	inodes = mypts_slab_active("inode_cache");
	dentries = mypts_slab_active("dentry");
	ASSERT_LE(0, inodes);
	ASSERT_LE(0, dentries);

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, mypts_mod_unload()) TH_LOG("cycle %d: unload: %s", i, strerror(errno));
		ASSERT_EQ(0, mypts_mod_count());
		ASSERT_EQ(0, mypts_mod_load()) TH_LOG("cycle %d: load: %s", i, strerror(errno));
		ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, NULL));
		ASSERT_EQ(MYPTS_MAGIC, mypts_fs_magic(self->dir));
		ASSERT_EQ(0, umount(self->dir));
	}
	EXPECT_EQ(1, mypts_mod_count());
	EXPECT_EQ(1, fs_listed());

	/*
	 * Each cycle makes at least one inode and one dentry; a leak of one
	 * per cycle would show as 100 objects. Allow a little unrelated noise.
	 */
	now = mypts_slab_settle("inode_cache", inodes, 20);
	EXPECT_LE(now, inodes + 20) TH_LOG("inode_cache %ld -> %ld", inodes, now);
	now = mypts_slab_settle("dentry", dentries, 20);
	EXPECT_LE(now, dentries + 20) TH_LOG("dentry %ld -> %ld", dentries, now);
}

TEST_HARNESS_MAIN
