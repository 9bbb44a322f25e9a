/* dsse.c - DSSE v1 envelopes signed and verified with Ed25519 through OpenSSL
 * (dsse.h). */
#include "asbuilt/dsse.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned char *dsse_pae(const char *type, const void *body, size_t len, size_t *outlen)
{
	size_t tl = strlen(type), cap = tl + len + 64;
	unsigned char *p = malloc(cap);
	int h;

	if (!p)
		return NULL;
	h = snprintf((char *)p, cap, "DSSEv1 %zu %s %zu ", tl, type, len);
	if (len)
		memcpy(p + h, body, len);
	p[h + len] = '\0';
	*outlen = (size_t)h + len;
	return p;
}

char *dsse_b64_encode(const void *buf, size_t len)
{
	char *s = malloc(4 * ((len + 2) / 3) + 1);

	if (!s)
		return NULL;
	EVP_EncodeBlock((unsigned char *)s, buf, (int)len);
	return s;
}

unsigned char *dsse_b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), pad = 0;
	char *norm = malloc(n + 4);
	unsigned char *out = NULL;
	int r;

	if (!norm)
		return NULL;
	for (size_t i = 0; i < n; i++)
		norm[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (n % 4)
		norm[n++] = '=';
	norm[n] = '\0';
	while (pad < n && pad < 2 && norm[n - 1 - pad] == '=')
		pad++;
	out = malloc(n / 4 * 3 + 1);
	r = out ? EVP_DecodeBlock(out, (unsigned char *)norm, (int)n) : -1;
	free(norm);
	if (r < 0 || (size_t)r < pad) {
		free(out);
		errno = out ? EINVAL : ENOMEM;
		return NULL;
	}
	*len = (size_t)r - pad;
	out[*len] = '\0';
	return out;
}

void dsse_key_free(EVP_PKEY *k)
{
	EVP_PKEY_free(k);
}

int dsse_key_load(const char *path, int want_private, EVP_PKEY **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = NULL;

	*out = NULL;
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "cannot open key '%s': %s", path, strerror(e));
		return -e;
	}
	if (want_private) {
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	} else {
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		if (!k) {
			rewind(f);
			k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		}
	}
	fclose(f);
	if (!k) {
		snprintf(err, errlen, "'%s' holds no PEM %s key", path,
			 want_private ? "private" : "public");
		return -EBADMSG;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "key '%s' is a %s key, not Ed25519", path,
			 OBJ_nid2sn(EVP_PKEY_get_id(k)));
		EVP_PKEY_free(k);
		return -EKEYREJECTED;
	}
	*out = k;
	return 0;
}

int dsse_keyid(EVP_PKEY *k, char out[65])
{
	unsigned char *der = NULL, md[32];
	int n = i2d_PUBKEY(k, &der);

	if (n <= 0)
		return -ENOMEM;
	EVP_Digest(der, (size_t)n, md, NULL, EVP_sha256(), NULL);
	OPENSSL_free(der);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The Ed25519 signature of PAE(type, payload) as base64 (a new string), or
 * NULL. */
static char *sign_b64(EVP_PKEY *k, const char *type, const void *payload, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[64];
	size_t siglen = sizeof(sig), plen;
	unsigned char *pae = dsse_pae(type, payload, len, &plen);
	char *b64 = NULL;

	if (ctx && pae && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, pae, plen) == 1)
		b64 = dsse_b64_encode(sig, siglen);
	free(pae);
	EVP_MD_CTX_free(ctx);
	return b64;
}

char *dsse_sign(EVP_PKEY *k, const char *type, const void *payload, size_t len)
{
	char keyid[65], *sig = NULL, *body = NULL, *text = NULL, *out = NULL;
	cJSON *env = cJSON_CreateObject(), *sigs, *s;

	if (!env || dsse_keyid(k, keyid))
		goto done;
	sig = sign_b64(k, type, payload, len);
	body = dsse_b64_encode(payload, len);
	if (!sig || !body)
		goto done;
	cJSON_AddStringToObject(env, "payloadType", type);
	cJSON_AddStringToObject(env, "payload", body);
	sigs = cJSON_AddArrayToObject(env, "signatures");
	s = cJSON_CreateObject();
	if (!sigs || !s || !cJSON_AddItemToArray(sigs, s))
		goto done;
	if (!cJSON_AddStringToObject(s, "keyid", keyid) || !cJSON_AddStringToObject(s, "sig", sig))
		goto done;
	text = cJSON_Print(env);
	if (text && asprintf(&out, "%s\n", text) < 0)
		out = NULL;
done:
	if (!out)
		errno = ENOMEM;
	cJSON_free(text);
	cJSON_Delete(env);
	free(sig);
	free(body);
	return out;
}

/* 1 when sig_b64 is a valid Ed25519 signature by k of pae. */
static int check_sig(EVP_PKEY *k, const char *sig_b64, const unsigned char *pae, size_t plen)
{
	size_t siglen;
	unsigned char *sig = dsse_b64_decode(sig_b64, &siglen);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	if (sig && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, pae, plen) == 1;
	EVP_MD_CTX_free(ctx);
	free(sig);
	return ok;
}

static const char *str_field(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Checks every signature of sigs (an array); keyids other than k's are skipped,
 * an empty or absent keyid is tried.  0 valid, -EBADMSG none, -EINVAL
 * malformed, -ENOMEM. */
static int check_sigs(EVP_PKEY *k, const cJSON *sigs, const char *type, struct dsse_result *res,
		      char *err, size_t errlen)
{
	size_t plen;
	unsigned char *pae = dsse_pae(type, res->payload, res->payload_len, &plen);
	const cJSON *s;
	int rc = -EBADMSG;

	if (!pae)
		return -ENOMEM;
	cJSON_ArrayForEach(s, sigs) {
		const char *kid = str_field(s, "keyid"), *sig = str_field(s, "sig");

		res->nsigs++;
		if (!sig) {
			snprintf(err, errlen, "signature %zu has no \"sig\" string", res->nsigs);
			rc = -EINVAL;
			break;
		}
		if (kid && *kid && strcmp(kid, res->keyid))
			continue;
		if (check_sig(k, sig, pae, plen)) {
			rc = 0;
			break;
		}
	}
	free(pae);
	if (rc == -EBADMSG)
		snprintf(err, errlen,
			 "no valid signature by key %.16s... among %zu: the payload or "
			 "its signature was changed, or it was signed with another key",
			 res->keyid, res->nsigs);
	return rc;
}

int dsse_verify(EVP_PKEY *k, const char *json, size_t len, const char *want_type,
		struct dsse_result *res, char *err, size_t errlen)
{
	cJSON *env = cJSON_ParseWithLength(json, len);
	const char *type, *payload;
	const cJSON *sigs;
	int rc = -EINVAL;

	memset(res, 0, sizeof(*res));
	if (!env || !cJSON_IsObject(env)) {
		snprintf(err, errlen, "not a DSSE envelope: not a JSON object");
		goto out;
	}
	type = str_field(env, "payloadType");
	payload = str_field(env, "payload");
	sigs = cJSON_GetObjectItemCaseSensitive(env, "signatures");
	if (!type || !payload || !cJSON_IsArray(sigs)) {
		snprintf(err, errlen,
			 "not a DSSE envelope: it needs \"payloadType\" and \"payload\" "
			 "strings and a \"signatures\" array");
		goto out;
	}
	if (strcmp(type, want_type)) {
		snprintf(err, errlen, "payloadType is '%s', not '%s'", type, want_type);
		rc = -EPROTO;
		goto out;
	}
	if (dsse_keyid(k, res->keyid)) {
		rc = -ENOMEM;
		goto out;
	}
	res->payload = dsse_b64_decode(payload, &res->payload_len);
	if (!res->payload) {
		rc = errno == ENOMEM ? -ENOMEM : -EBADMSG;
		snprintf(err, errlen, "the payload is not valid base64: the envelope was changed");
		goto out;
	}
	rc = check_sigs(k, sigs, type, res, err, errlen);
out:
	cJSON_Delete(env);
	return rc;
}
