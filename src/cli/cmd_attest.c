/* cmd_attest.c - asbuilt verify-attestation: check a DSSE envelope (asbuilt
 * provenance
 * --sign) against an Ed25519 public key and print what it attests. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/dsse.h"
#include "asbuilt/slsa.h"
#include "cli.h"

#define EXIT_INVALID 1

static void usage(FILE *f)
{
	fprintf(f, "usage: asbuilt verify-attestation --key PUB.pem ENVELOPE.json\n\n"
		   "Verifies the DSSE envelope (asbuilt provenance --sign) with the Ed25519 "
		   "public\n"
		   "key in PUB.pem (openssl pkey -in KEY.pem -pubout), and prints its "
		   "subjects as\n"
		   "'subject  sha256:<hex>  <name>'.  ENVELOPE '-' reads standard input.\n"
		   "Exit status: 0 a valid signature by that key; 1 no valid signature "
		   "(tampered,\n"
		   "or signed with another key); 2 unusable input (not a DSSE envelope, "
		   "payload type\n"
		   "not in-toto, key not Ed25519, unreadable file).\n\n"
		   "  -k, --key PUB.pem  the public key (a private key file is accepted "
		   "too)\n\n"
		   "Example:  openssl pkey -in key.pem -pubout -out pub.pem\n"
		   "          asbuilt verify-attestation --key pub.pem hello.dsse.json\n");
}

/* The whole file at path ("-" = stdin) as a new buffer (*len bytes), or NULL
 * (errno). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			if (!(p = realloc(buf, cap + 1))) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	if (f != stdin)
		fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/* Prints the statement's subjects; EXIT_USAGE when it is not an in-toto
 * Statement v1. */
static int print_subjects(const unsigned char *payload, size_t len)
{
	cJSON *s = cJSON_ParseWithLength((const char *)payload, len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "_type"), *subj, *it;
	const cJSON *pt = cJSON_GetObjectItemCaseSensitive(s, "predicateType");
	int rc = 0;

	subj = cJSON_GetObjectItemCaseSensitive(s, "subject");
	if (!cJSON_IsString(type) || strcmp(type->valuestring, SLSA_STATEMENT_TYPE) ||
	    !cJSON_IsArray(subj)) {
		cli_err("verify-attestation: the signed payload is not an in-toto "
			"Statement v1");
		rc = EXIT_USAGE;
		goto out;
	}
	if (cJSON_IsString(pt))
		printf("predicateType  %s\n", pt->valuestring);
	cJSON_ArrayForEach(it, subj) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *dg = cJSON_GetObjectItemCaseSensitive(it, "digest"), *d;

		cJSON_ArrayForEach(d, dg)
			if (cJSON_IsString(d))
				printf("subject  %s:%s  %s\n", d->string, d->valuestring,
				       cJSON_IsString(name) ? name->valuestring : "");
	}
out:
	cJSON_Delete(s);
	return rc;
}

static int verify(const char *keyfile, const char *path)
{
	struct evp_pkey_st *key = NULL;
	struct dsse_result res;
	char err[1024], *json;
	size_t len;
	int rc;

	if (dsse_key_load(keyfile, 0, &key, err, sizeof(err))) {
		cli_err("verify-attestation: %s", err);
		return EXIT_USAGE;
	}
	json = slurp(path, &len);
	if (!json) {
		cli_err("verify-attestation: cannot read '%s': %s", path, strerror(errno));
		dsse_key_free(key);
		return EXIT_USAGE;
	}
	rc = dsse_verify(key, json, len, DSSE_INTOTO_TYPE, &res, err, sizeof(err));
	if (rc == -EBADMSG) {
		cli_err("verify-attestation: '%s': signature NOT valid: %s", path, err);
		rc = EXIT_INVALID;
	} else if (rc) {
		cli_err("verify-attestation: '%s': %s", path,
			rc == -ENOMEM ? "out of memory" : err);
		rc = EXIT_USAGE;
	} else {
		printf("verified  Ed25519 key %s  %s\n", res.keyid, path);
		rc = print_subjects(res.payload, res.payload_len);
	}
	free(res.payload);
	free(json);
	dsse_key_free(key);
	return rc;
}

int cmd_verify_attestation(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *keyfile = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "k:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			keyfile = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!keyfile || optind != argc - 1) {
		cli_err("verify-attestation: name a --key and one ENVELOPE file");
		usage(stderr);
		return EXIT_USAGE;
	}
	return verify(keyfile, argv[optind]);
}
