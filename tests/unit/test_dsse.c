/* Unit tests of dsse.c: PAE bytes, base64, Ed25519 sign/verify round trip,
 * tampering. */
#include <criterion/criterion.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/dsse.h"

/* Writes a new key of the given OpenSSL type ("ED25519", or "EC" P-256) as PEM
 * (private, or its public half) to a temporary file whose path goes into path.
 */
static void key_file(const char *type, int private, char path[64])
{
	EVP_PKEY *k = strcmp(type, "EC") ? EVP_PKEY_Q_keygen(NULL, NULL, type)
					 : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	FILE *f;
	int fd;

	cr_assert(k);
	strcpy(path, "/tmp/test_dsse.XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert(private ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)
			  : PEM_write_PUBKEY(f, k));
	fclose(f);
	EVP_PKEY_free(k);
}

Test(dsse, pae_matches_the_spec_example)
{
	size_t n;
	unsigned char *p = dsse_pae("http://example.com/HelloWorld", "hello world", 11, &n);
	static const char want[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";

	cr_assert_eq(n, strlen(want));
	cr_assert_eq(memcmp(p, want, n), 0);
	free(p);
}

Test(dsse, pae_counts_bytes_and_keeps_nuls)
{
	size_t n;
	unsigned char *p = dsse_pae(DSSE_INTOTO_TYPE, "a\0b", 3, &n);
	static const char want[] = "DSSEv1 28 application/vnd.in-toto+json 3 a\0b";

	cr_assert_eq(n, sizeof(want) - 1);
	cr_assert_eq(memcmp(p, want, n), 0);
	free(p);
	p = dsse_pae("t", "", 0, &n);
	cr_assert_str_eq((char *)p, "DSSEv1 1 t 0 ");
	free(p);
}

Test(dsse, base64_round_trips_and_accepts_urlsafe_unpadded)
{
	char *e = dsse_b64_encode("\xfb\xff\xfe", 3);
	unsigned char *d;
	size_t n;

	cr_assert_str_eq(e, "+//+");
	free(e);
	e = dsse_b64_encode("ab", 2);
	cr_assert_str_eq(e, "YWI=");
	d = dsse_b64_decode(e, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq((char *)d, "ab");
	free(d);
	free(e);
	d = dsse_b64_decode("-__-", &n); /* URL-safe alphabet */
	cr_assert_eq(n, 3);
	cr_assert_eq(memcmp(d, "\xfb\xff\xfe", 3), 0);
	free(d);
	d = dsse_b64_decode("YWI", &n); /* padding left out */
	cr_assert_eq(n, 2);
	free(d);
	errno = 0;
	cr_assert_null(dsse_b64_decode("Y*I=", &n));
	cr_assert_eq(errno, EINVAL);
}

Test(dsse, sign_then_verify_round_trip)
{
	static const char payload[] = "{\"_type\":\"https://in-toto.io/Statement/v1\"}";
	char priv[64], pub[64], err[256], kid[65], *env, *env2;
	struct evp_pkey_st *sk, *pk;
	struct dsse_result res;

	key_file("ED25519", 1, priv);
	cr_assert_eq(dsse_key_load(priv, 1, &sk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(dsse_key_load(priv, 0, &pk, err, sizeof(err)), 0, "%s", err);
	env = dsse_sign(sk, DSSE_INTOTO_TYPE, payload, strlen(payload));
	cr_assert(env);
	env2 = dsse_sign(sk, DSSE_INTOTO_TYPE, payload, strlen(payload));
	cr_assert_str_eq(env, env2, "Ed25519 envelopes are deterministic");
	cr_assert_eq(dsse_verify(pk, env, strlen(env), DSSE_INTOTO_TYPE, &res, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(res.payload_len, strlen(payload));
	cr_assert_eq(memcmp(res.payload, payload, res.payload_len), 0);
	cr_assert_eq(dsse_keyid(pk, kid), 0);
	cr_assert_str_eq(res.keyid, kid);
	cr_assert_eq(strlen(kid), 64);
	cr_assert(strstr(env, kid));
	free(res.payload);
	/* the same public key from a "PUBLIC KEY" file */
	key_file("ED25519", 0, pub);
	dsse_key_free(pk);
	cr_assert_eq(dsse_key_load(pub, 0, &pk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(dsse_verify(pk, env, strlen(env), DSSE_INTOTO_TYPE, &res, err, sizeof(err)),
		     -EBADMSG, "another key does not verify");
	free(res.payload);
	free(env);
	free(env2);
	dsse_key_free(sk);
	dsse_key_free(pk);
	unlink(priv);
	unlink(pub);
}

Test(dsse, tampered_payload_fails)
{
	char priv[64], err[256], *env, *p;
	struct evp_pkey_st *sk;
	struct dsse_result res;

	key_file("ED25519", 1, priv);
	cr_assert_eq(dsse_key_load(priv, 1, &sk, err, sizeof(err)), 0, "%s", err);
	env = dsse_sign(sk, DSSE_INTOTO_TYPE, "{\"a\":1}", 7);
	p = strstr(env, "\"payload\":");
	cr_assert(p);
	p = strchr(p + 10, '"') + 1; /* the first base64 character of the payload */
	*p = *p == 'e' ? 'f' : 'e';
	cr_assert_eq(dsse_verify(sk, env, strlen(env), DSSE_INTOTO_TYPE, &res, err, sizeof(err)),
		     -EBADMSG);
	free(res.payload);
	free(env);
	dsse_key_free(sk);
	unlink(priv);
}

Test(dsse, unusable_input_is_told_apart)
{
	char priv[64], ec[64], err[256], *env;
	struct evp_pkey_st *sk, *k = NULL;
	struct dsse_result res;

	key_file("ED25519", 1, priv);
	cr_assert_eq(dsse_key_load(priv, 1, &sk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(dsse_verify(sk, "not json", 8, DSSE_INTOTO_TYPE, &res, err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(
		dsse_verify(sk, "{\"payload\":\"\"}", 14, DSSE_INTOTO_TYPE, &res, err, sizeof(err)),
		-EINVAL);
	env = dsse_sign(sk, "text/plain", "x", 1);
	cr_assert_eq(dsse_verify(sk, env, strlen(env), DSSE_INTOTO_TYPE, &res, err, sizeof(err)),
		     -EPROTO);
	cr_assert(strstr(err, "text/plain"), "%s", err);
	free(env);
	key_file("EC", 0, ec);
	cr_assert_eq(dsse_key_load(ec, 0, &k, err, sizeof(err)), -EKEYREJECTED);
	cr_assert_null(k);
	cr_assert(strstr(err, "not Ed25519"), "%s", err);
	cr_assert_eq(dsse_key_load("/nonexistent/key.pem", 0, &k, err, sizeof(err)), -ENOENT);
	dsse_key_free(sk);
	unlink(priv);
	unlink(ec);
}
