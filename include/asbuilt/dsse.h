/*
 * dsse.h - DSSE (Dead Simple Signing Envelope, v1) with Ed25519 keys, through
 * OpenSSL.
 *
 * An envelope is {"payload": base64, "payloadType": TYPE, "signatures":
 * [{"keyid", "sig"}]}; the signature is over PAE(TYPE, payload bytes) = "DSSEv1
 * <len(TYPE)> TYPE <len(body)> body" (lengths in ASCII decimal, single spaces).
 * Ed25519 signs the PAE bytes themselves (no pre-hash), so the same key and
 * payload give the same envelope.  keyid is the lowercase hex SHA-256 of the
 * public key's DER SubjectPublicKeyInfo.
 */
#ifndef ASBUILT_DSSE_H
#define ASBUILT_DSSE_H

#include <stddef.h>

#define DSSE_INTOTO_TYPE "application/vnd.in-toto+json"

struct evp_pkey_st; /* OpenSSL's EVP_PKEY */

/* PAE(type, body) as a new buffer of *outlen bytes you own (NUL-terminated for
 * printing). NULL with errno ENOMEM. */
unsigned char *dsse_pae(const char *type, const void *body, size_t len, size_t *outlen);

/* Standard base64 (with padding) of len bytes, as a new string you own; NULL on
 * ENOMEM. */
char *dsse_b64_encode(const void *buf, size_t len);

/* Decodes standard or URL-safe base64, padded or not, into a new buffer of *len
 * bytes you own (NUL-terminated).  NULL with errno EINVAL (not base64) or
 * ENOMEM. */
unsigned char *dsse_b64_decode(const char *s, size_t *len);

/* Loads an Ed25519 key from the PEM file at path into *out (free with
 * dsse_key_free). want_private: a private key (PKCS#8 "PRIVATE KEY"); otherwise
 * a public key
 * ("PUBLIC KEY"), or the public half of a private key file.  Returns 0,
 * -ENOENT/-EACCES (cannot open), -EBADMSG (no PEM key in it), -EKEYREJECTED (a
 * key, but not Ed25519); err gets a sentence naming path. */
int dsse_key_load(const char *path, int want_private, struct evp_pkey_st **out, char *err,
		  size_t errlen);

/* Frees k; accepts NULL. */
void dsse_key_free(struct evp_pkey_st *k);

/* The keyid of k: lowercase hex SHA-256 of its public key DER.  0 or -ENOMEM.
 */
int dsse_keyid(struct evp_pkey_st *k, char out[65]);

/* Signs payload (len bytes) of type with the private key k and returns the
 * envelope as a new JSON text you own (formatted, ending in a newline), or NULL
 * (ENOMEM, EINVAL). */
char *dsse_sign(struct evp_pkey_st *k, const char *type, const void *payload, size_t len);

/* What dsse_verify found.  payload is the decoded payload (yours once set: free
 * it). */
struct dsse_result {
	unsigned char *payload;
	size_t payload_len;
	char keyid[65]; /* the keyid of k, which made a valid signature */
	size_t nsigs;	/* signatures in the envelope */
};

/* Verifies the envelope in json (len bytes) against the public key k, requiring
 * payloadType == want_type.  Returns 0 when one signature of k is valid;
 * -EBADMSG when none is (wrong key, tampered payload or signature; payload not
 * base64); -EINVAL when the envelope is unusable (not JSON, fields missing or
 * of the wrong type); -EPROTO when its payloadType is not want_type; -ENOMEM.
 * err gets a sentence.  res->payload is set on 0 and -EBADMSG when the payload
 * decodes. */
int dsse_verify(struct evp_pkey_st *k, const char *json, size_t len, const char *want_type,
		struct dsse_result *res, char *err, size_t errlen);

#endif /* ASBUILT_DSSE_H */
