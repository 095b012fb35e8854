// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module init and exit.
 *
 * mypts_init() brings the layers up in order; mypts_exit() is the same list
 * backwards, and every failure in mypts_init() unwinds what came before it.
 */
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/module.h>

#include "module/ldisc.h"
#include "module/ptmx.h"
#include "module/slave.h"
#include "module/sysctl.h"
#include "fs/super.h"

static int __init mypts_init(void)
{
	int err;

	err = mypts_sysctl_init();
	if (err)
		goto err_out;
	err = mypts_ldisc_init();
	if (err)
		goto err_sysctl;
	err = mypts_slave_init();
	if (err)
		goto err_ldisc;
	err = mypts_ptmx_init();
	if (err)
		goto err_slave;
	err = mypts_fs_init();
	if (err)
		goto err_ptmx;

	pr_info("version %s loaded\n", MYPTS_VERSION);
	return 0;

err_ptmx:
	mypts_ptmx_exit();
err_slave:
	mypts_slave_exit();
err_ldisc:
	mypts_ldisc_exit();
err_sysctl:
	mypts_sysctl_exit();
err_out:
	return err;
}

static void __exit mypts_exit(void)
{
	mypts_fs_exit();
	mypts_ptmx_exit();
	mypts_slave_exit();
	mypts_ldisc_exit();
	mypts_sysctl_exit();
	pr_info("unloaded\n");
}

module_init(mypts_init);
module_exit(mypts_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Unix98 pseudo-terminals beside devpts: instances, ptmx, slaves, line discipline");
MODULE_AUTHOR("The mypts developers");
MODULE_VERSION(MYPTS_VERSION);
MODULE_ALIAS_FS("mypts");
