// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl.c - /proc/sys/kernel/mypts/{max,reserve,nr}, global like devpts'
 * kernel.pty.*: max bounds all pairs, reserve is kept for instances mounted
 * from the initial mount namespace, nr counts the pairs that exist.
 */
#include <linux/sysctl.h>
#include <linux/tty.h>

#include "fs/index.h"
#include "module/sysctl.h"

static int mypts_limit_min;
static int mypts_limit_top = NR_UNIX98_PTY_MAX;
static struct ctl_table_header *mypts_sysctl_header;

static struct ctl_table mypts_sysctl_table[] = {
	{
		.procname	= "max",
		.data		= &mypts_limit_max,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &mypts_limit_min,
		.extra2		= &mypts_limit_top,
	},
	{
		.procname	= "reserve",
		.data		= &mypts_limit_reserve,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &mypts_limit_min,
		.extra2		= &mypts_limit_top,
	},
	{
		.procname	= "nr",
		.data		= &mypts_nr.counter,
		.maxlen		= sizeof(int),
		.mode		= 0444,
		.proc_handler	= proc_dointvec,
	},
	MYPTS_SYSCTL_SENTINEL
};

/**
 * mypts_sysctl_init() - register kernel.mypts.*
 *
 * Context: Module init. Can sleep.
 * Return: 0 or -ENOMEM.
 */
int mypts_sysctl_init(void)
{
	mypts_sysctl_header = register_sysctl("kernel/mypts", mypts_sysctl_table);
	return mypts_sysctl_header ? 0 : -ENOMEM;
}

/**
 * mypts_sysctl_exit() - unregister kernel.mypts.*
 *
 * Context: Module exit. Can sleep.
 */
void mypts_sysctl_exit(void)
{
	unregister_sysctl_table(mypts_sysctl_header);
}
