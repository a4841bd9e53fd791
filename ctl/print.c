// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* print.c - see print.h. */
#include <inttypes.h>
#include <stdarg.h>

#include "print.h"

void fw_print_init(struct fw_print *p, FILE *f, bool json)
{
	*p = (struct fw_print){.f = f, .json = json};
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
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
