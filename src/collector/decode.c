/* decode.c - validates and decodes wire-format records (see event.h). */
#include "asbuilt/decode.h"

#include <errno.h>
#include <string.h>

static const int body_size[AB_EV_MAX] = {
	[AB_EV_PROC] = sizeof(struct ab_proc), [AB_EV_ARGV] = sizeof(struct ab_argv),
	[AB_EV_ENV] = sizeof(struct ab_env),   [AB_EV_FILE] = sizeof(struct ab_file),
	[AB_EV_EXEC] = sizeof(struct ab_exec), [AB_EV_EXIT] = sizeof(struct ab_exit),
	[AB_EV_FORK] = sizeof(struct ab_fork), [AB_EV_WARN] = sizeof(struct ab_warn),
	[AB_EV_LOST] = sizeof(struct ab_lost),
};

int decode_body_size(unsigned type)
{
	return type > 0 && type < AB_EV_MAX ? body_size[type] : -1;
}

int decode_record(const void *rec, size_t len, struct decoded *out, char *scratch)
{
	const char *p = rec, *end = p + len;
	int bsz;

	if (len < sizeof(struct ab_hdr))
		return -EBADMSG;
	memcpy(&out->hdr, p, sizeof(out->hdr));
	bsz = decode_body_size(out->hdr.type);
	if (bsz < 0 || out->hdr.size != len || len < sizeof(struct ab_hdr) + (size_t)bsz ||
	    out->hdr.nstr > DECODE_MAX_STR)
		return -EBADMSG;
	p += sizeof(struct ab_hdr);
	memset(&out->u, 0, sizeof(out->u));
	memcpy(&out->u, p, (size_t)bsz);
	p += bsz;
	out->nstr = out->hdr.nstr;
	for (unsigned i = 0; i < out->nstr; i++) {
		uint32_t n;
		if ((size_t)(end - p) < sizeof(n))
			return -EBADMSG;
		memcpy(&n, p, sizeof(n));
		p += sizeof(n);
		if ((size_t)(end - p) < n)
			return -EBADMSG;
		memcpy(scratch, p, n);
		scratch[n] = '\0';
		out->str[i] = scratch;
		out->len[i] = n;
		scratch += n + 1;
		p += n;
	}
	return p == end ? 0 : -EBADMSG;
}
