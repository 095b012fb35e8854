/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pty_fixture.h - the fixture of the differential pty suites.
 *
 * Each pty_*_test.c includes this once, after kselftest_harness.h. Every
 * TEST_F(pty, ...) runs twice: on a private devpts instance (variant
 * "devpts") and on a mypts instance (variant "mypts"), each mounted on a
 * temporary directory, self->dir, in a private mount namespace. The
 * devpts run proves the expectation, the mypts run the match.
 */
#ifndef _MYPTS_PTY_FIXTURE_H
#define _MYPTS_PTY_FIXTURE_H

#include "kselftest_harness.h"
#include "mypts_util.h"

FIXTURE(pty) {
	char dir[64];
	char path[128];
};

FIXTURE_VARIANT(pty) {
	const char *fstype;
	const char *opts;
};

FIXTURE_VARIANT_ADD(pty, devpts) {
	.fstype = "devpts",
	.opts = "newinstance,ptmxmode=0666,mode=0620",
};

FIXTURE_VARIANT_ADD(pty, mypts) {
	.fstype = "mypts",
	.opts = "ptmxmode=0666,mode=0620",
};

FIXTURE_SETUP(pty)
{
	int err;

	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	if (mount("none", self->dir, variant->fstype, 0, variant->opts)) {
		err = errno;
		rmdir(self->dir);
		ASSERT_EQ(0, err)
			TH_LOG("mount -t %s -o %s: %s", variant->fstype, variant->opts,
			       strerror(err));
	}
}

FIXTURE_TEARDOWN(pty)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

#endif /* _MYPTS_PTY_FIXTURE_H */
