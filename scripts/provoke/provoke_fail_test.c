// SPDX-License-Identifier: GPL-2.0
/*
 * provoke_fail_test - a test that fails on purpose, added to the guest only
 * by "make check PROVOKE=fail", to prove that a failing test fails the run.
 */
#include "kselftest_harness.h"

TEST(fails_on_purpose)
{
	EXPECT_EQ(1, 2) TH_LOG("this failure was provoked");
}

TEST_HARNESS_MAIN
