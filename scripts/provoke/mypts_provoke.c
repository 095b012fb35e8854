// SPDX-License-Identifier: GPL-2.0
/*
 * mypts_provoke - misbehave on load, to prove that the test harness turns a
 * kernel warning or oops in the guest into a failed run. Never part of
 * mypts.ko; built and loaded only by "make check PROVOKE=warn|oops".
 */
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

static char *what = "warn";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "how to misbehave: warn or oops (default warn)");

static int __init mypts_provoke_init(void)
{
	int *nowhere = NULL;

	if (!strcmp(what, "oops")) {
		/* Keep the compiler from proving the load undefined and dropping it. */
		OPTIMIZER_HIDE_VAR(nowhere);
		pr_info("mypts_provoke: dereferencing NULL\n");
		return *nowhere;
	}
	pr_info("mypts_provoke: warning\n");
	WARN_ON(1);
	return 0;
}

static void __exit mypts_provoke_exit(void)
{
}

module_init(mypts_provoke_init);
module_exit(mypts_provoke_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Misbehave on purpose to test the mypts harness");
