# SPDX-License-Identifier: GPL-2.0
#
# make              build mypts.ko against KDIR
# make check        build, check style, boot the Debian kernel, run every test
# make run          boot the guest with mypts loaded and a shell (CMD='...' to run one)
# make fuzz         only the line-discipline fuzzer: SEEDS=N (5000), SEED=S (1),
#                   KERNEL=...; a failing seed replays with SEED=S SEEDS=1
# make style        checkpatch --strict and kernel-doc only
# make clean        remove build output
#
# KDIR defaults to the running kernel's build directory when it exists, else
# to the cached Debian 6.1 headers that "make check" uses.

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
ifeq ($(wildcard $(RUNNING_KDIR)/Makefile),)
KDIR ?= $(shell $(CURDIR)/scripts/fetch-kernel.sh)/build
else
KDIR ?= $(RUNNING_KDIR)
endif

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

check:
	@bash scripts/check.sh

fuzz:
	@TESTS=ldisc_fuzz_test bash scripts/check.sh

run:
	@bash scripts/run.sh

style:
	@bash scripts/style.sh "$$(scripts/fetch-kernel.sh)/source"

clean-module:
	rm -f mypts.ko mypts.mod mypts.mod.c mypts.mod.o mypts.o Module.symvers modules.order
	find module fs -name '*.o' -o -name '.*.cmd' | xargs rm -f
	rm -f .*.cmd

clean: clean-module
	rm -rf out

.PHONY: all modules check fuzz run style clean clean-module
