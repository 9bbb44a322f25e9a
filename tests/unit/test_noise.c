/* Unit tests of noise.c. */
#include <criterion/criterion.h>

#include "asbuilt/noise.h"

Test(noise, classifies_pseudo_and_locale_files)
{
	cr_assert_str_eq(noise_class("/proc/self/maps"), "proc");
	cr_assert_str_eq(noise_class("/proc"), "proc");
	cr_assert_str_eq(noise_class("/sys/devices/system/cpu/online"), "sys");
	cr_assert_str_eq(noise_class("/dev/null"), "dev");
	cr_assert_str_eq(noise_class("/etc/ld.so.cache"), "ldcache");
	cr_assert_str_eq(noise_class("/usr/lib/locale/locale-archive"), "locale");
	cr_assert_str_eq(noise_class("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache"),
			 "gconv");
	cr_assert(noise_is_pseudo("proc") && !noise_is_pseudo("locale"));
}

Test(noise, real_inputs_are_not_noise)
{
	cr_assert_null(noise_class("/usr/include/stdio.h"));
	cr_assert_null(noise_class("/home/u/proc/x.c"));
	cr_assert_null(noise_class("/devel/x.c"));
	cr_assert_null(noise_class("/usr/lib/x86_64-linux-gnu/libc.so.6"));
}
