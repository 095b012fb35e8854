/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the one place that knows kernel versions.
 *
 * Force-included into every object by Kbuild. Core files never test
 * LINUX_VERSION_CODE; each difference between supported kernels becomes a
 * MYPTS_HAVE_* capability or a small wrapper here.
 */
#ifndef _MYPTS_COMPAT_H
#define _MYPTS_COMPAT_H

#include <linux/version.h>

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "mypts needs Linux 6.1 or later"
#endif

struct ktermios;

/* Type of the old termios handed to tty_operations.set_termios. */
#define MYPTS_OLD_TERMIOS const struct ktermios

#include <linux/namei.h>

struct tty_struct;

/*
 * Exported by the tty core (EXPORT_SYMBOL) but declared only in the
 * private drivers/tty/tty.h.
 */
int tty_check_change(struct tty_struct *tty);

/* follow_down() gained a flags argument in 6.3. */
static inline int mypts_follow_down(struct path *path)
{
#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
	return follow_down(path);
#else
	return follow_down(path, 0);
#endif
}

#endif /* _MYPTS_COMPAT_H */
