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

#endif /* _MYPTS_COMPAT_H */
