// SPDX-License-Identifier: GPL-2.0
/*
 * index.c - pair numbers per instance, and the global limits.
 *
 * kernel.mypts.max bounds the pairs of all instances together; instances
 * not mounted from the initial mount namespace may hold at most max minus
 * kernel.mypts.reserve of them, so containers cannot starve the host.
 * kernel.mypts.nr counts the pairs that exist. Unlike devpts, which stops
 * one pair short of kernel.pty.max, exactly max pairs may exist.
 */
#include <linux/idr.h>
#include <linux/tty.h>

#include "fs/index.h"
#include "fs/super.h"

int mypts_limit_max = 4096;
int mypts_limit_reserve = 1024;
atomic_t mypts_nr = ATOMIC_INIT(0);

/**
 * mypts_index_alloc() - take the lowest free pair number of an instance
 * @fsi: the instance
 *
 * Counts the pair against the global limits first, then against the
 * instance's own max (max=0 means no per-instance limit, as on devpts).
 *
 * Context: Process context. Can sleep.
 * Return: the number, or -ENOSPC when a limit is reached, or -ENOMEM.
 */
int mypts_index_alloc(struct mypts_fs_info *fsi)
{
	int limit = READ_ONCE(mypts_limit_max);
	unsigned int max = READ_ONCE(fsi->opts.max);
	int index;

	if (!fsi->reserve)
		limit -= READ_ONCE(mypts_limit_reserve);
	if (atomic_inc_return(&mypts_nr) > limit) {
		atomic_dec(&mypts_nr);
		return -ENOSPC;
	}
	if (!max || max > NR_UNIX98_PTY_MAX)
		max = NR_UNIX98_PTY_MAX;
	index = ida_alloc_max(&fsi->indices, max - 1, GFP_KERNEL);
	if (index < 0)
		atomic_dec(&mypts_nr);
	return index;
}

/**
 * mypts_index_free() - give a pair number back
 * @fsi: the instance
 * @index: a number mypts_index_alloc() returned for @fsi
 *
 * Context: Any context.
 */
void mypts_index_free(struct mypts_fs_info *fsi, int index)
{
	ida_free(&fsi->indices, index);
	atomic_dec(&mypts_nr);
}
