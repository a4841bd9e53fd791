/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * escape.h - text from outside made safe to print: rule and set files, their
 * paths, interface names, names read back from a running program. Any of
 * them may carry an escape sequence (a downloaded blocklist, a hostile
 * interface name) that a terminal would obey.
 *
 * Printable UTF-8 is kept. Every other byte is shown as \xNN: C0 controls,
 * DEL, the C1 controls U+0080-U+009F (some terminals obey them too, e.g.
 * U+009B as CSI) and bytes that are not valid UTF-8. A backslash is shown
 * as \\, so that a reader can tell "\x1b" written in a file from an ESC.
 *
 * Escape once, where the text leaves: fw_log(), fw_diag_report() and
 * fw_print_str() do it themselves and must be given the raw text; only a
 * direct printf needs fw_esc().
 */
#ifndef FW_ESCAPE_H
#define FW_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The length (1-4) of the UTF-8 character at s, which has len bytes left,
 * with its code point in *cp; 0 when s does not start a valid one (overlong
 * forms, surrogates and code points past U+10FFFF are not valid).
 */
size_t fw_utf8_char(const char *s, size_t len, uint32_t *cp);

/* Whether code point cp is a control character (C0, DEL, C1). */
static inline bool fw_utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/* Whether s[0..len) would change when escaped. */
bool fw_escape_needed(const char *s, size_t len);

/*
 * s[0..len) escaped into buf, NUL-terminated when size > 0. The text is cut
 * before an escape or a character that does not fit whole. Returns the
 * length of the whole escaped text, as snprintf does: >= size means cut.
 */
size_t fw_escape(char *buf, size_t size, const char *s, size_t len);

/* s[0..len) escaped, written to f. */
void fw_escape_write(FILE *f, const char *s, size_t len);

/*
 * String s escaped into buf; returns buf. A text cut to fit ends in "...".
 * For printf to a terminal: see fw_esc().
 */
const char *fw_escape_str(char *buf, size_t size, const char *s);

/* Room for a path or a name escaped: longer ones are cut, and say so. */
#define FW_ESC_MAX 1024

/*
 * String s escaped, in a buffer that lives until the end of the enclosing
 * block: printf("%s\n", fw_esc(path)). Never pass the result to fw_log(),
 * fw_diag_report() or fw_print_str(): they escape, and it would show twice.
 */
#define fw_esc(s) fw_escape_str((char[FW_ESC_MAX]){0}, FW_ESC_MAX, (s))

#endif /* FW_ESCAPE_H */
