/*
 * map.h - two small open-addressing hash tables: strmap (NUL-terminated string keys, copied
 * and owned by the map) and u64map (integer keys).  Values are caller-owned pointers.
 */
#ifndef ASBUILT_MAP_H
#define ASBUILT_MAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap {
	struct strmap_slot *slots;
	size_t cap, len;
};

struct u64map {
	struct u64map_slot *slots;
	size_t cap, len;
};

/* Zero-initialised structs are empty maps; _release frees the table (not the values). */
void strmap_release(struct strmap *m);
/* Returns the value stored for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Stores value for key (replacing).  Returns 0 or -ENOMEM. */
int strmap_put(struct strmap *m, const char *key, void *value);
/* Calls fn for every entry, in no particular order. */
void strmap_each(const struct strmap *m, void (*fn)(const char *key, void *value, void *ctx),
		 void *ctx);

void u64map_release(struct u64map *m);
void *u64map_get(const struct u64map *m, uint64_t key);
int u64map_put(struct u64map *m, uint64_t key, void *value);
/* Removes key; returns the value it had, or NULL. */
void *u64map_del(struct u64map *m, uint64_t key);
void u64map_each(const struct u64map *m, void (*fn)(uint64_t key, void *value, void *ctx),
		 void *ctx);

#endif /* ASBUILT_MAP_H */
