# SPDX-License-Identifier: GPL-2.0
#
# make              build mypts.ko against KDIR
# make check        build, check style, boot the Debian kernel, run every test
# make run          boot the guest with mypts loaded and a shell (CMD='...' to run one)
# make fuzz         only the line-discipline fuzzer: SEEDS=N (5000), SEED=S (1),
#                   KERNEL=...; a failing seed replays with SEED=S SEEDS=1
# make check-debug  the same tests (plus 3 minutes of sysfuzz_test and a
#                   kmemleak scan) on our own debug 6.1 kernel: KASAN, lockdep,
#                   kmemleak, UBSAN, failslab; built once, then cached
# make fuzz-debug   only the syscall fuzzer on the debug kernel:
#                   MINUTES=N (10), SEED=S (random), PROCS=P (4)
# make bench        mypts against devpts in one boot (1 vCPU), as ratios:
#                   ROUNDS=N (5), AA=1 (devpts against devpts: the noise
#                   floor), ONLY=groups; metrics in build/bench.txt
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

check-debug:
	@KERNEL=debug bash scripts/check.sh

MINUTES ?= 10
fuzz-debug:
	@KERNEL=debug TESTS=sysfuzz_test SYSFUZZ_SECONDS=$$(($(MINUTES) * 60)) \
		SYSFUZZ_SEED=$${SEED:-$$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')} \
		SYSFUZZ_PROCS=$(or $(PROCS),4) GUEST_TIMEOUT=$$(($(MINUTES) * 60 + 1200)) \
		TEST_TIMEOUT=$$(($(MINUTES) * 60 + 600)) bash scripts/check.sh

run:
	@bash scripts/run.sh

bench:
	@bash scripts/bench.sh

style:
	@bash scripts/style.sh "$$(scripts/fetch-kernel.sh)/source"

clean-module:
	rm -f mypts.ko mypts.mod mypts.mod.c mypts.mod.o mypts.o Module.symvers modules.order
	find module fs -name '*.o' -o -name '.*.cmd' | xargs rm -f
	rm -f .*.cmd

clean: clean-module
	rm -rf out build

.PHONY: all modules bench check check-debug fuzz fuzz-debug run style clean clean-module
