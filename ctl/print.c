// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* print.c - see print.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "print.h"

void fw_print_init(struct fw_print *p, FILE *f, bool json)
{
	*p = (struct fw_print){.f = f, .json = json};
}

/*
 * A JSON string (RFC 8259): control characters (C0, DEL, C1) as \u00XX,
 * so that none reaches a terminal that shows the document, and a byte
 * that is not UTF-8 as U+FFFD: JSON text must be UTF-8, and an interface
 * name or a name read from a running program need not be.
 */
static void json_string(FILE *f, const char *s)
{
	size_t len = strlen(s), n;
	uint32_t cp;

	fputc('"', f);
	for (size_t i = 0; i < len; i += n ? n : 1) {
		n = fw_utf8_char(s + i, len - i, &cp);
		if (!n)
			fputs("\\ufffd", f);
		else if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (fw_utf8_is_control(cp))
			fprintf(f, "\\u%04x", (unsigned int)cp);
		else
			fwrite(s + i, 1, n, f);
	}
	fputc('"', f);
}

/* Comma and key before a JSON value; keys only inside objects. */
static void json_key(struct fw_print *p, const char *key)
{
	if (p->comma[p->depth])
		fputc(',', p->f);
	p->comma[p->depth] = true;
	if (key) {
		json_string(p->f, key);
		fputc(':', p->f);
	}
}

static void open_(struct fw_print *p, const char *key, char c)
{
	if (!p->json)
		return;
	json_key(p, key);
	fputc(c, p->f);
	if (p->depth < FW_PRINT_DEPTH - 1)
		p->depth++;
	p->comma[p->depth] = false;
}

static void close_(struct fw_print *p, char c)
{
	if (!p->json)
		return;
	fputc(c, p->f);
	if (p->depth > 0)
		p->depth--;
}

void fw_print_obj_begin(struct fw_print *p, const char *key)
{
	open_(p, key, '{');
}
void fw_print_obj_end(struct fw_print *p)
{
	close_(p, '}');
}
void fw_print_arr_begin(struct fw_print *p, const char *key)
{
	open_(p, key, '[');
}
void fw_print_arr_end(struct fw_print *p)
{
	close_(p, ']');
}

void fw_print_str(struct fw_print *p, const char *key, const char *fmt, const char *val)
{
	if (p->json) {
		json_key(p, key);
		json_string(p->f, val);
	} else if (fmt && fw_escape_needed(val, strlen(val))) {
		char buf[FW_ESC_MAX], *esc = buf;
		size_t len = fw_escape(buf, sizeof(buf), val, strlen(val));

		/* A rule's text may be long; cut only if out of memory. */
		if (len >= sizeof(buf) && (esc = malloc(len + 1)))
			fw_escape(esc, len + 1, val, strlen(val));
		fprintf(p->f, fmt, esc ? esc : buf);
		if (esc != buf)
			free(esc);
	} else if (fmt) {
		fprintf(p->f, fmt, val);
	}
}

void fw_print_u64(struct fw_print *p, const char *key, const char *fmt, uint64_t val)
{
	if (p->json) {
		json_key(p, key);
		fprintf(p->f, "%" PRIu64, val);
	} else if (fmt) {
		fprintf(p->f, fmt, val);
	}
}

void fw_print_bool(struct fw_print *p, const char *key, const char *fmt, bool val)
{
	if (p->json) {
		json_key(p, key);
		fputs(val ? "true" : "false", p->f);
	} else if (fmt) {
		fprintf(p->f, fmt, val ? "yes" : "no");
	}
}

void fw_print_text(struct fw_print *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
}

void fw_print_finish(struct fw_print *p)
{
	if (p->json)
		fputc('\n', p->f);
	fflush(p->f);
}
