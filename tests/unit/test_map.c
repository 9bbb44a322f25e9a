/* Unit tests of map.c. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "asbuilt/map.h"

Test(map, strmap_stores_many_keys)
{
	struct strmap m = { 0 };
	char k[32];

	for (long i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "/usr/include/h%ld.h", i);
		cr_assert_eq(strmap_put(&m, k, (void *)(i + 1)), 0);
	}
	for (long i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "/usr/include/h%ld.h", i);
		cr_assert_eq((long)strmap_get(&m, k), i + 1);
	}
	cr_assert_null(strmap_get(&m, "/nope"));
	strmap_release(&m);
}

Test(map, u64map_put_get_delete_reuse)
{
	struct u64map m = { 0 };

	for (uint64_t i = 1; i <= 3000; i++)
		u64map_put(&m, i, (void *)(uintptr_t)i);
	for (uint64_t i = 1; i <= 3000; i += 2)
		cr_assert_eq((uintptr_t)u64map_del(&m, i), i);
	for (uint64_t i = 1; i <= 3000; i++)
		cr_assert_eq((uintptr_t)u64map_get(&m, i), i % 2 ? 0 : i);
	for (uint64_t i = 1; i <= 3000; i += 2)
		u64map_put(&m, i, (void *)(uintptr_t)(i * 10));
	cr_assert_eq((uintptr_t)u64map_get(&m, 7), 70);
	u64map_release(&m);
}
