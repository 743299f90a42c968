/* The terminal line discipline (termdisc.h): pure code, one terminal's
 * state per struct termdisc, every call made by the terminal's server
 * with that terminal's lock held.
 *
 * Invariants of the input queue: count <= TD_RING; ready <= count; in
 * canonical mode the `ready` bytes from head end with a delimiter ('\n',
 * VEOL, or a VEOF mark) unless a read took part of that line, and the
 * edited line is the count - ready bytes after them; in non-canonical
 * mode ready == count.  A VEOF mark occupies a slot with its bit set in
 * eof[] and is never returned as data. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "termdisc.h"

#define CTRL(c) ((c) & 0x1f)
#define BS  0x08
#define DEL 0x7f

static bool is_cc(const struct termdisc *td, unsigned idx, uint8_t c)
{
	return td->t.c_cc[idx] != TD_VDISABLE && td->t.c_cc[idx] == c;
}

static uint32_t slot(const struct termdisc *td, uint32_t i)
{
	return (td->head + i) % TD_RING;
}

static bool is_mark(const struct termdisc *td, uint32_t s)
{
	return td->eof[s / 8] & (1u << (s % 8));
}

static void push(struct termdisc *td, uint8_t c, bool mark)
{
	uint32_t s = slot(td, td->count);

	td->ring[s] = c;
	if (mark)
		td->eof[s / 8] |= (uint8_t)(1u << (s % 8));
	else
		td->eof[s / 8] &= (uint8_t)~(1u << (s % 8));
	td->count++;
}

/* Takes the byte at head; *mark says whether it was a VEOF mark. */
static uint8_t pop(struct termdisc *td, bool *mark)
{
	uint8_t c = td->ring[td->head];

	*mark = is_mark(td, td->head);
	td->head = (td->head + 1) % TD_RING;
	td->count--;
	if (td->ready)
		td->ready--;
	return c;
}

void td_init(struct termdisc *td, void (*out)(void *, const char *, size_t),
	     void (*sig)(void *, int), void *ctx)
{
	memset(td, 0, sizeof *td);
	td->out = out;
	td->sig = sig;
	td->ctx = ctx;
	td->t.c_iflag = ICRNL;
	td->t.c_oflag = OPOST | ONLCR;
	td->t.c_cflag = CS8 | CREAD | CLOCAL;
	td->t.c_lflag = ICANON | ECHO | ECHOE | ECHOK | ISIG | IEXTEN;
	td->t.c_cc[VEOF] = CTRL('D');
	td->t.c_cc[VERASE] = DEL;
	td->t.c_cc[VINTR] = CTRL('C');
	td->t.c_cc[VKILL] = CTRL('U');
	td->t.c_cc[VMIN] = 1;
	td->t.c_cc[VQUIT] = CTRL('\\');
	td->t.c_cc[VSTART] = CTRL('Q');
	td->t.c_cc[VSTOP] = CTRL('S');
	td->t.c_cc[VSUSP] = CTRL('Z');
	td->t.c_cc[VWERASE] = CTRL('W');
	td->t.c_cc[VLNEXT] = CTRL('V');
	td->t.c_cc[VREPRINT] = CTRL('R');
	td->t.c_ispeed = td->t.c_ospeed = 115200;
}

void td_setattr(struct termdisc *td, const struct termios *t)
{
	td->t = *t;
	td->ready = td->count;
}

void td_flush_input(struct termdisc *td)
{
	td->head = td->count = td->ready = 0;
}

/* ---- output ---------------------------------------------------------------- */

void td_write(struct termdisc *td, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	char chunk[128];
	size_t n = 0;
	bool post = td->t.c_oflag & OPOST;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];
		if (n + 2 > sizeof chunk) {
			td->out(td->ctx, chunk, n);
			n = 0;
		}
		if (post && c == '\n' && (td->t.c_oflag & ONLCR))
			chunk[n++] = '\r';
		else if (post && c == '\r' && (td->t.c_oflag & OCRNL))
			c = '\n';
		chunk[n++] = (char)c;
	}
	if (n)
		td->out(td->ctx, chunk, n);
}

static void echo(struct termdisc *td, uint8_t c)
{
	td_write(td, &c, 1);
}

/* ---- canonical editing ------------------------------------------------------- */

/* Removes the last byte of the edited line; false when it is empty. */
static bool rubout(struct termdisc *td, uint8_t *c)
{
	if (td->count == td->ready)
		return false;
	td->count--;
	*c = td->ring[slot(td, td->count)];
	return true;
}

static void echo_erase(struct termdisc *td, uint8_t erase_char)
{
	if (!(td->t.c_lflag & ECHO))
		return;
	if (td->t.c_lflag & ECHOE)
		td->out(td->ctx, "\b \b", 3);
	else
		echo(td, erase_char);
}

static void erase(struct termdisc *td, uint8_t c)
{
	uint8_t gone;

	if (rubout(td, &gone))
		echo_erase(td, c);
}

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* VWERASE: the blanks before the cursor, then the word before them. */
static void word_erase(struct termdisc *td, uint8_t c)
{
	uint8_t gone;
	bool in_word = false;

	while (td->count > td->ready) {
		uint8_t last = td->ring[slot(td, td->count - 1)];
		if (is_blank(last) && in_word)
			break;
		if (!is_blank(last))
			in_word = true;
		rubout(td, &gone);
		echo_erase(td, c);
	}
}

/* VKILL: the whole edited line.  With ECHOK the display loses it too:
 * rubbed out when ECHOE is also set, else the kill character and a
 * newline are echoed; without ECHOK only the kill character is. */
static void kill_line(struct termdisc *td, uint8_t c)
{
	uint32_t n = td->count - td->ready;
	tcflag_t l = td->t.c_lflag;

	td->count = td->ready;
	if (!(l & ECHO))
		return;
	if ((l & ECHOK) && (l & ECHOE)) {
		for (uint32_t i = 0; i < n; i++)
			td->out(td->ctx, "\b \b", 3);
		return;
	}
	echo(td, c);
	if (l & ECHOK)
		echo(td, '\n');
}

/* ---- input ------------------------------------------------------------------ */

/* ISIG: VINTR, VQUIT, VSUSP; true if c was one. */
static bool signal_char(struct termdisc *td, uint8_t c)
{
	int signo;

	if (is_cc(td, VINTR, c))
		signo = SIGINT;
	else if (is_cc(td, VQUIT, c))
		signo = SIGQUIT;
	else if (is_cc(td, VSUSP, c))
		signo = SIGTSTP;
	else
		return false;
	if (!(td->t.c_lflag & NOFLSH))
		td_flush_input(td);
	td->sig(td->ctx, signo);
	return true;
}

static bool canonical_input(struct termdisc *td, uint8_t c)
{
	tcflag_t l = td->t.c_lflag;

	if (is_cc(td, VERASE, c) || c == BS || c == DEL) {
		erase(td, c);
		return false;
	}
	if (is_cc(td, VKILL, c)) {
		kill_line(td, c);
		return false;
	}
	if (is_cc(td, VWERASE, c)) {
		word_erase(td, c);
		return false;
	}
	bool mark = is_cc(td, VEOF, c);
	bool delim = mark || c == '\n' || is_cc(td, VEOL, c);
	if (td->count >= TD_RING - (delim ? 0 : 1)) {
		td->dropped++;
		return false;
	}
	push(td, c, mark);
	if (!mark && (l & ECHO))
		echo(td, c);
	else if (c == '\n' && (l & ECHONL))
		echo(td, c);
	if (delim)
		td->ready = td->count;
	return delim;
}

bool td_input(struct termdisc *td, uint8_t c)
{
	tcflag_t i = td->t.c_iflag;

	if (i & ISTRIP)
		c &= 0x7f;
	if (c == '\r') {
		if (i & IGNCR)
			return false;
		if (i & ICRNL)
			c = '\n';
	} else if (c == '\n' && (i & INLCR)) {
		c = '\r';
	}
	if ((td->t.c_lflag & ISIG) && signal_char(td, c))
		return true;
	if (td->t.c_lflag & ICANON)
		return canonical_input(td, c);
	if (td->count == TD_RING) {
		td->dropped++;
		return false;
	}
	push(td, c, false);
	td->ready = td->count;
	if (td->t.c_lflag & ECHO)
		echo(td, c);
	return true;
}

/* ---- reading ------------------------------------------------------------------ */

size_t td_read(struct termdisc *td, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t n = 0;
	bool canon = td->t.c_lflag & ICANON, mark;

	while (n < len && td->ready) {
		uint8_t c = pop(td, &mark);
		if (mark) {
			if (canon)
				return n;       /* end of file: the line so far, or 0 */
			continue;
		}
		p[n++] = c;
		if (canon && (c == '\n' || is_cc(td, VEOL, c)))
			return n;
	}
	/* A line that ended in VEOF and filled the buffer exactly: the mark
	 * belongs to it, not to an empty line after it. */
	if (canon && n && td->ready && is_mark(td, td->head))
		pop(td, &mark);
	return n;
}

bool td_can_read(const struct termdisc *td, size_t len)
{
	if (len == 0)
		return true;
	if (td->t.c_lflag & ICANON)
		return td->ready > 0;
	size_t min = td->t.c_cc[VMIN];
	if (min == 0)
		return td->t.c_cc[VTIME] == 0 || td->count > 0;
	return td->count >= (min < len ? min : len);
}

unsigned td_read_timeout(const struct termdisc *td)
{
	unsigned time = td->t.c_cc[VTIME];

	if ((td->t.c_lflag & ICANON) || time == 0)
		return 0;
	if (td->t.c_cc[VMIN] == 0 || td->count > 0)
		return time;
	return 0;
}

size_t td_readable(const struct termdisc *td)
{
	size_t n = 0;

	for (uint32_t i = 0; i < td->ready; i++)
		if (!is_mark(td, slot(td, i)))
			n++;
	return n;
}

int td_flush(struct termdisc *td, int32_t q, bool *flush_output)
{
	if (q != TCIFLUSH && q != TCOFLUSH && q != TCIOFLUSH)
		return EINVAL;
	if (q != TCOFLUSH)
		td_flush_input(td);
	*flush_output = q != TCIFLUSH;
	return 0;
}
