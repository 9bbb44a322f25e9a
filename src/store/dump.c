/* dump.c - the raw record, as text or JSON lines (asbuilt show). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asbuilt/dump.h"
#include "asbuilt/store.h"

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		len = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Adds name: the bytes as a JSON string (invalid UTF-8 replaced by U+FFFD, and then also
 * name_hex: the exact bytes in hex).  NULL becomes JSON null. */
static void add_bytes(cJSON *o, const char *name, const unsigned char *p, size_t n)
{
	char *s, *hex;
	size_t j = 0;
	int bad = 0;

	if (!p) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	s = malloc(3 * n + 1);
	if (!s)
		return;
	for (size_t i = 0; i < n;) {
		size_t l = p[i] ? utf8_seq(p + i, n - i) : 0;
		if (l) {
			memcpy(s + j, p + i, l);
			j += l;
			i += l;
		} else {
			memcpy(s + j, "\xef\xbf\xbd", 3); /* U+FFFD (and NUL bytes of argv) */
			j += 3;
			i++;
			bad |= p[i - 1] != 0;
		}
	}
	s[j] = '\0';
	cJSON_AddStringToObject(o, name, s);
	free(s);
	if (!bad)
		return;
	hex = malloc(2 * n + 1);
	for (size_t i = 0; hex && i < n; i++)
		sprintf(hex + 2 * i, "%02x", p[i]);
	if (hex) {
		hex[2 * n] = '\0';
		char key[64];
		snprintf(key, sizeof(key), "%s_hex", name);
		cJSON_AddStringToObject(o, key, hex);
		free(hex);
	}
}

/* argv (NUL-separated) as a JSON array of strings. */
static void add_argv(cJSON *o, const unsigned char *p, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "argv");
	size_t start = 0;

	if (!p || !arr)
		return;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '\0') {
			cJSON *tmp = cJSON_CreateObject();
			add_bytes(tmp, "a", p + start, i - start);
			cJSON *a = cJSON_DetachItemFromObject(tmp, "a");
			cJSON_AddItemToArray(arr, a);
			cJSON_Delete(tmp);
			start = i + 1;
		}
	}
}

/* One row of stmt as a JSON object of its columns; "argv" columns become arrays. */
static cJSON *row_json(sqlite3_stmt *s, const char *type)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "type", type);
	for (int i = 0; i < sqlite3_column_count(s); i++) {
		const char *name = sqlite3_column_name(s, i);
		int t = sqlite3_column_type(s, i);
		if (t == SQLITE_INTEGER)
			cJSON_AddNumberToObject(o, name, (double)sqlite3_column_int64(s, i));
		else if (t == SQLITE_NULL)
			cJSON_AddNullToObject(o, name);
		else if (!strcmp(name, "argv"))
			add_argv(o, sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i));
		else if (!strcmp(name, "env")) {
			cJSON *env = cJSON_Parse((const char *)sqlite3_column_text(s, i));
			if (env)
				cJSON_AddItemToObject(o, name, env);
			else
				add_bytes(o, name, sqlite3_column_text(s, i),
					  (size_t)sqlite3_column_bytes(s, i));
		} else
			add_bytes(o, name, sqlite3_column_text(s, i),
				  (size_t)sqlite3_column_bytes(s, i));
	}
	return o;
}

static void print_json(FILE *out, sqlite3_stmt *s, const char *type)
{
	cJSON *o = row_json(s, type);
	char *txt = cJSON_PrintUnformatted(o);

	if (txt)
		fprintf(out, "%s\n", txt);
	free(txt);
	cJSON_Delete(o);
}

/* Text: the bytes with control characters and non-UTF-8 shown as \xNN. */
static void put_text(FILE *out, const unsigned char *p, size_t n, int argv_sep)
{
	for (size_t i = 0; p && i < n;) {
		size_t l = p[i] >= 0x20 && p[i] != 0x7f ? utf8_seq(p + i, n - i) : 0;
		if (p[i] == '\0' && argv_sep) {
			fputc(' ', out);
			i++;
		} else if (l) {
			fwrite(p + i, 1, l, out);
			i += l;
		} else {
			fprintf(out, "\\x%02x", p[i++]);
		}
	}
}

static void col_text(FILE *out, sqlite3_stmt *s, int i, int argv_sep)
{
	put_text(out, sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i), argv_sep);
}

static void text_build(FILE *out, sqlite3_stmt *s)
{
	time_t t = (time_t)(sqlite3_column_int64(s, 1) / 1000000000);
	char when[32];

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(out, "build %lld  %s  %s  exit %s  %s  backend %s\n  command: ",
		sqlite3_column_int64(s, 0), when, sqlite3_column_text(s, 9),
		sqlite3_column_type(s, 8) == SQLITE_NULL ? "?"
							 : (const char *)sqlite3_column_text(s, 8),
		sqlite3_column_int(s, 10) ? "complete" : "INCOMPLETE", sqlite3_column_text(s, 5));
	col_text(out, s, 3, 1);
	fputs("\n  cwd: ", out);
	col_text(out, s, 4, 0);
	fputc('\n', out);
}

static void text_process(FILE *out, sqlite3_stmt *s)
{
	fprintf(out, "process %lld  pid %d ppid %d  parent %s  exit %s (%s)%s\n  exe: ",
		sqlite3_column_int64(s, 0), sqlite3_column_int(s, 2), sqlite3_column_int(s, 3),
		sqlite3_column_type(s, 4) == SQLITE_NULL ? "-"
							 : (const char *)sqlite3_column_text(s, 4),
		sqlite3_column_type(s, 17) == SQLITE_NULL
			? "?"
			: (const char *)sqlite3_column_text(s, 17),
		sqlite3_column_type(s, 18) == SQLITE_NULL
			? "?"
			: (const char *)sqlite3_column_text(s, 18),
		sqlite3_column_int(s, 19) ? "  STATIC (not seen inside)" : "");
	col_text(out, s, 6, 0);
	if (sqlite3_column_type(s, 7) != SQLITE_NULL)
		fprintf(out, "  sha256 %s", sqlite3_column_text(s, 7));
	fputs("\n  argv: ", out);
	col_text(out, s, 10, 1);
	fputs("\n  cwd: ", out);
	col_text(out, s, 11, 0);
	if (sqlite3_column_type(s, 12) != SQLITE_NULL) {
		fputs("\n  env: ", out);
		col_text(out, s, 12, 0);
	}
	fputc('\n', out);
}

static void text_event(FILE *out, sqlite3_stmt *s)
{
	fprintf(out, "    %-7s %-5s ", sqlite3_column_text(s, 4), sqlite3_column_text(s, 5));
	col_text(out, s, 7, 0);
	if (sqlite3_column_type(s, 9) != SQLITE_NULL) {
		fputs(" -> ", out);
		col_text(out, s, 10, 0);
	}
	if (sqlite3_column_int64(s, 12) < 0)
		fprintf(out, "  (error %lld)", -sqlite3_column_int64(s, 12));
	if (sqlite3_column_type(s, 15) != SQLITE_NULL)
		fprintf(out, "  sha256 %s size %lld", sqlite3_column_text(s, 15),
			sqlite3_column_int64(s, 16));
	if (sqlite3_column_type(s, 14) != SQLITE_NULL)
		fprintf(out, "  [noise: %s]", sqlite3_column_text(s, 14));
	fputc('\n', out);
}

int store_dump(struct store *st, int json, FILE *out)
{
	static const char *const q_build = "SELECT * FROM builds ORDER BY id";
	static const char *const q_inc = "SELECT * FROM incomplete WHERE build_id=? ORDER BY id";
	static const char *const q_proc =
		"SELECT * FROM processes WHERE build_id=? ORDER BY id";
	static const char *const q_ev =
		"SELECT e.*, v.sha256, v.size, v.gitoid_sha1, v.gitoid_sha256, v.vseq"
		" FROM file_events e LEFT JOIN file_versions v ON v.id = e.version_id"
		" WHERE e.process_id=? ORDER BY e.id";
	sqlite3 *db = store_db(st);
	sqlite3_stmt *b = NULL, *inc = NULL, *p = NULL, *e = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db, q_build, -1, &b, NULL) ||
	    sqlite3_prepare_v2(db, q_inc, -1, &inc, NULL) ||
	    sqlite3_prepare_v2(db, q_proc, -1, &p, NULL) ||
	    sqlite3_prepare_v2(db, q_ev, -1, &e, NULL))
		goto out;
	while (sqlite3_step(b) == SQLITE_ROW) {
		int64_t bid = sqlite3_column_int64(b, 0);
		json ? print_json(out, b, "build") : text_build(out, b);
		sqlite3_bind_int64(inc, 1, bid);
		while (sqlite3_step(inc) == SQLITE_ROW) {
			if (json)
				print_json(out, inc, "incomplete");
			else
				fprintf(out, "  incomplete: %s %s\n", sqlite3_column_text(inc, 3),
					sqlite3_column_type(inc, 4) == SQLITE_NULL
						? ""
						: (const char *)sqlite3_column_text(inc, 4));
		}
		sqlite3_reset(inc);
		sqlite3_bind_int64(p, 1, bid);
		while (sqlite3_step(p) == SQLITE_ROW) {
			json ? print_json(out, p, "process") : text_process(out, p);
			sqlite3_bind_int64(e, 1, sqlite3_column_int64(p, 0));
			while (sqlite3_step(e) == SQLITE_ROW)
				json ? print_json(out, e, "file") : text_event(out, e);
			sqlite3_reset(e);
		}
		sqlite3_reset(p);
	}
	rc = 0;
out:
	sqlite3_finalize(b);
	sqlite3_finalize(inc);
	sqlite3_finalize(p);
	sqlite3_finalize(e);
	return rc;
}
