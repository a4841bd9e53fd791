// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* escape.c - see escape.h. */
#include <string.h>

#include "escape.h"

size_t fw_utf8_char(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	size_t n;
	uint32_t c;

	if (!len)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	/* The ranges of RFC 3629, section 4: they leave out overlong forms
	 * (C0, C1, E0 80-9F, F0 80-8F), surrogates (ED A0-BF) and code
	 * points past U+10FFFF (F4 90-BF, F5-FF). */
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		c = u[0] & 0x0f;
		if (u[0] == 0xe0)
			lo = 0xa0;
		else if (u[0] == 0xed)
			hi = 0x9f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		c = u[0] & 0x07;
		if (u[0] == 0xf0)
			lo = 0x90;
		else if (u[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (len < n || u[1] < lo || u[1] > hi)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3f);
	}
	*cp = c;
	return n;
}

/* Longest output of one unit: four bytes as \xNN each. */
#define UNIT_MAX 16

/*
 * The next unit of s (one character, or one byte that is not a valid
 * character) as printed: its text in out, its length returned, and how
 * many bytes of s it took in *used.
 */
static size_t escape_unit(const char *s, size_t len, char out[UNIT_MAX], size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, k;
	uint32_t cp;

	k = fw_utf8_char(s, len, &cp);
	if (k && !fw_utf8_is_control(cp)) {
		*used = k;
		if (cp == '\\') {
			out[0] = out[1] = '\\';
			return 2;
		}
		memcpy(out, s, k);
		return k;
	}
	/* A control character goes byte by byte, as does a byte that
	 * starts no valid character (the next one may). */
	*used = k ? k : 1;
	for (size_t i = 0; i < *used; i++) {
		unsigned char c = (unsigned char)s[i];

		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[c >> 4];
		out[n++] = hex[c & 0xf];
	}
	return n;
}

bool fw_escape_needed(const char *s, size_t len)
{
	char out[UNIT_MAX];
	size_t used;

	for (size_t i = 0; i < len; i += used) {
		size_t n = escape_unit(s + i, len - i, out, &used);

		if (n != used || memcmp(out, s + i, n))
			return true;
	}
	return false;
}

size_t fw_escape(char *buf, size_t size, const char *s, size_t len)
{
	char out[UNIT_MAX];
	size_t total = 0, used;
	bool cut = false;

	for (size_t i = 0; i < len; i += used) {
		size_t n = escape_unit(s + i, len - i, out, &used);

		if (!cut && total + n < size) {
			memcpy(buf + total, out, n);
		} else if (!cut && size) {
			buf[total] = '\0';
			cut = true;
		}
		total += n;
	}
	if (!cut && size)
		buf[total] = '\0';
	return total;
}

void fw_escape_write(FILE *f, const char *s, size_t len)
{
	char out[UNIT_MAX];
	size_t used, start = 0;

	/* Runs that need nothing go out in one write. */
	for (size_t i = 0; i < len; i += used) {
		size_t n = escape_unit(s + i, len - i, out, &used);

		if (n == used && !memcmp(out, s + i, n))
			continue;
		fwrite(s + start, 1, i - start, f);
		fwrite(out, 1, n, f);
		start = i + used;
	}
	fwrite(s + start, 1, len - start, f);
}

const char *fw_escape_str(char *buf, size_t size, const char *s)
{
	static const char more[] = "...";
	size_t len = strlen(s);

	if (fw_escape(buf, size, s, len) >= size && size >= sizeof(more)) {
		/* Cut again with room for the mark: the first cut may have
		 * filled the buffer to the last byte. */
		fw_escape(buf, size - (sizeof(more) - 1), s, len);
		strcat(buf, more);
	}
	return buf;
}
