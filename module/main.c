// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module init and exit.
 *
 * mypts_init() brings the layers up in order; mypts_exit() is the same list
 * backwards, and every failure in mypts_init() unwinds what came before it.
 */
#include <linux/init.h>
#include <linux/fs.h>
#include <linux/module.h>

#include "fs/super.h"

static int __init mypts_init(void)
{
	int err;

	err = mypts_fs_init();
	if (err)
		goto err_out;

	pr_info("version %s loaded\n", MYPTS_VERSION);
	return 0;

err_out:
	return err;
}

static void __exit mypts_exit(void)
{
	mypts_fs_exit();
	pr_info("unloaded\n");
}

module_init(mypts_init);
module_exit(mypts_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Unix98 pseudo-terminals beside devpts: instances, ptmx, slaves, line discipline");
MODULE_AUTHOR("The mypts developers");
MODULE_VERSION(MYPTS_VERSION);
MODULE_ALIAS_FS("mypts");
