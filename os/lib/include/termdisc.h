#pragma once
/* termdisc: the POSIX general terminal interface's line discipline, as
 * pure code (no OS calls) shared by every terminal server: the serial
 * console drivers and, later, pseudo-terminals.
 *
 * The server owns the device and the waiting clients; termdisc owns the
 * termios state and the input queue and decides what a byte means:
 *   td_input()    one received byte: input mapping (IGNCR, ICRNL, INLCR,
 *                 ISTRIP), signals (ISIG: VINTR, VQUIT, VSUSP), line
 *                 editing (ICANON: VERASE, BS and DEL, VKILL, VWERASE,
 *                 VEOF, VEOL) and echo (ECHO, ECHOE, ECHOK, ECHONL);
 *   td_write()    output processing (OPOST: ONLCR, OCRNL) of a client's
 *                 write;
 *   td_read()     what a client's read takes from the queue: a line in
 *                 canonical mode, the bytes there otherwise;
 *   td_can_read() and td_read_timeout() say when a parked read completes
 *                 (VMIN/VTIME); the server keeps the timer.
 * Output (echo and processed writes) leaves through the out callback,
 * signals through the sig callback (the server sends them to the
 * foreground process group).  Neither is called with any lock of
 * termdisc's (it has none: the server serialises calls on one terminal).
 *
 * The input queue is a ring of TD_RING bytes: up to TD_RING bytes wait
 * unread without loss (in canonical mode one byte is kept for the line's
 * delimiter, so a line holds at most TD_RING - 1); bytes past that are
 * dropped and counted in `dropped`. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define TD_RING 4096u

/* A disabled control character (c_cc value that matches nothing). */
#define TD_VDISABLE 0

struct termdisc {
	struct termios t;
	void (*out)(void *ctx, const char *buf, size_t len);
	void (*sig)(void *ctx, int signo);
	void *ctx;
	/* The input queue: count bytes from head; the first `ready` of them
	 * are complete lines (canonical mode) that a read may take, the rest
	 * the line being edited. */
	uint32_t head, count, ready;
	uint64_t dropped;               /* bytes lost to a full queue */
	uint8_t ring[TD_RING];
	uint8_t eof[TD_RING / 8];       /* bit set: this slot is a VEOF mark, no data */
};

/* Sets up td with the usual defaults (ICANON, ECHO, ECHOE, ECHOK, ISIG,
 * ICRNL, OPOST|ONLCR, CS8|CREAD, ^C ^\ ^Z ^D ^U ^W DEL, 115200 baud);
 * out and sig must not be NULL. */
void td_init(struct termdisc *td, void (*out)(void *, const char *, size_t),
	     void (*sig)(void *, int), void *ctx);
/* Installs new attributes (tcsetattr).  Leaving or entering canonical
 * mode makes everything queued readable. */
void td_setattr(struct termdisc *td, const struct termios *t);
/* One received byte.  Returns true when the byte may have made a waiting
 * read complete (the server re-checks td_can_read). */
bool td_input(struct termdisc *td, uint8_t c);
/* Output processing of len bytes a client writes; all of them go out. */
void td_write(struct termdisc *td, const void *buf, size_t len);
/* Takes up to len bytes for a read into buf; returns the bytes taken (0
 * for a canonical end-of-file mark, or when nothing is ready). */
size_t td_read(struct termdisc *td, void *buf, size_t len);
/* May a read of len bytes complete now (canonical: a whole line or a
 * VEOF is queued; otherwise VMIN bytes, or at least one with VMIN 0 and
 * VTIME 0 meaning "return at once")? */
bool td_can_read(const struct termdisc *td, size_t len);
/* The timer a parked read needs, in tenths of a second (0: none):
 * VTIME when VMIN is 0 (from the read's start) or when VMIN > 0 and a
 * byte is queued (restarted at every byte).  When it expires the read
 * completes with whatever is queued (possibly nothing). */
unsigned td_read_timeout(const struct termdisc *td);
/* Bytes a read could take now (FIONREAD). */
size_t td_readable(const struct termdisc *td);
/* Discards the queued input (tcflush TCIFLUSH). */
void td_flush_input(struct termdisc *td);
/* tcflush's queue selector q: discards the input when q says so and sets
 * *flush_output to whether the server must discard its pending output.
 * 0, or EINVAL for a selector that is none of TCIFLUSH, TCOFLUSH,
 * TCIOFLUSH. */
int td_flush(struct termdisc *td, int32_t q, bool *flush_output);
