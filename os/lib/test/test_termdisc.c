/* Host tests of the terminal line discipline (os/lib/termdisc.c), one case
 * per rule of the POSIX general terminal interface it implements.  The
 * struct termios and its flag values are Keel's (<termios.h> of os/libc,
 * copied beside the objects by os/lib/host.mk); signal numbers are the
 * host's, as termdisc.c is compiled against the same <signal.h>. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ktap.h"
#include "termdisc.h"

/* What the terminal sent back and which signals it raised. */
struct sink {
	char out[TD_RING * 4];
	size_t nout;
	int sigs[16];
	int nsig;
};

static void sink_out(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	if (s->nout + len > sizeof s->out) {
		kt_fail(__FILE__, __LINE__, "output overflow");
		return;
	}
	memcpy(s->out + s->nout, buf, len);
	s->nout += len;
}

static void sink_sig(void *ctx, int signo)
{
	struct sink *s = ctx;

	if (s->nsig < (int)KT_COUNT(s->sigs))
		s->sigs[s->nsig++] = signo;
}

static struct termdisc *td;
static struct sink *sink;

/* A fresh terminal with the defaults, then lflag/iflag/oflag changed. */
static void fresh(tcflag_t lclear, tcflag_t lset)
{
	free(td);
	free(sink);
	td = malloc(sizeof *td);
	sink = calloc(1, sizeof *sink);
	td_init(td, sink_out, sink_sig, sink);
	struct termios t = td->t;
	t.c_lflag = (t.c_lflag & ~lclear) | lset;
	td_setattr(td, &t);
}

static void type(const char *s)
{
	while (*s)
		td_input(td, (uint8_t)*s++);
}

static void type_n(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		td_input(td, (uint8_t)s[i]);
}

/* The echo so far as a string (and forget it). */
static const char *echoed(void)
{
	static char buf[sizeof sink->out + 1];

	memcpy(buf, sink->out, sink->nout);
	buf[sink->nout] = 0;
	sink->nout = 0;
	return buf;
}

/* One read of up to len bytes as a string; "<none>" if it may not
 * complete yet. */
static const char *read_str(size_t len)
{
	static char buf[TD_RING + 1];

	if (!td_can_read(td, len))
		return "<none>";
	size_t n = td_read(td, buf, len);
	buf[n] = 0;
	return buf;
}

static void set_iflag(tcflag_t iflag)
{
	struct termios t = td->t;
	t.c_iflag = iflag;
	td_setattr(td, &t);
}

static void set_cc(unsigned idx, cc_t v)
{
	struct termios t = td->t;
	t.c_cc[idx] = v;
	td_setattr(td, &t);
}

/* ---- canonical mode -------------------------------------------------------- */

static void t_canon_line_waits_for_newline(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("hello");
	KT_STREQ(read_str(100), "<none>");
	KT_EQ(td_readable(td), 0);
	type("\n");
	KT_EQ(td_readable(td), 6);
	KT_STREQ(read_str(100), "hello\n");
	KT_STREQ(read_str(100), "<none>");
}

static void t_canon_read_takes_one_line_at_a_time(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("one\ntwo\nthr");
	KT_STREQ(read_str(100), "one\n");
	KT_STREQ(read_str(100), "two\n");
	KT_STREQ(read_str(100), "<none>");
	type("ee\n");
	KT_STREQ(read_str(100), "three\n");
}

static void t_canon_short_read_leaves_rest_of_line(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("abcdef\n");
	KT_STREQ(read_str(4), "abcd");
	KT_STREQ(read_str(100), "ef\n");
}

static void t_erase_del_and_bs_both_erase(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("abx\x7f" "c\n");
	KT_STREQ(read_str(100), "abc\n");
	type("aby\bc\n");
	KT_STREQ(read_str(100), "abc\n");
	set_cc(VERASE, '#');
	type("ab#c\n");
	KT_STREQ(read_str(100), "ac\n");
	type("ab\x7f\n");                       /* DEL still erases */
	KT_STREQ(read_str(100), "a\n");
}

static void t_erase_stops_at_line_start(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("ok\n\x7f\x7f\x7fz\n");
	KT_STREQ(read_str(100), "ok\n");
	KT_STREQ(read_str(100), "z\n");
}

static void t_echoe_rubs_out_erased_char(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("ab\x7f");
	KT_STREQ(echoed(), "ab\b \b");
	type("\x7f\x7f");                       /* only one left to erase */
	KT_STREQ(echoed(), "\b \b");
}

static void t_erase_without_echoe_echoes_erase_char(const void *arg)
{
	(void)arg;
	fresh(ECHOE, 0);
	type("ab\x7f");
	KT_STREQ(echoed(), "ab\x7f");
}

static void t_kill_discards_line(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("done\nwrong\x15right\n");
	KT_STREQ(read_str(100), "done\n");
	KT_STREQ(read_str(100), "right\n");
}

static void t_echok_with_echoe_rubs_out_line(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("abc");
	echoed();
	type("\x15");
	KT_STREQ(echoed(), "\b \b\b \b\b \b");
}

static void t_echok_alone_echoes_kill_then_newline(const void *arg)
{
	(void)arg;
	fresh(ECHOE, 0);
	type("abc");
	echoed();
	type("\x15");
	KT_STREQ(echoed(), "\x15\r\n");
	fresh(ECHOE | ECHOK, 0);
	type("abc\x15");
	KT_STREQ(echoed(), "abc\x15");
}

static void t_werase_erases_word_and_blanks(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("one two  \x17" "2\n");
	KT_STREQ(read_str(100), "one 2\n");
	type("\x17" "solo\x17x\n");
	KT_STREQ(read_str(100), "x\n");
}

static void t_eof_passes_partial_line_without_mark(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("abc\x04");
	KT_STREQ(echoed(), "abc");              /* VEOF is not echoed */
	KT_STREQ(read_str(100), "abc");
	KT_STREQ(read_str(100), "<none>");
}

static void t_eof_at_line_start_reads_zero(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("\x04");
	KT_EQ(td_can_read(td, 10), 1);
	KT_STREQ(read_str(100), "");
	KT_STREQ(read_str(100), "<none>");
}

static void t_eof_after_exactly_filled_read_is_not_an_empty_line(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("abc\x04" "\x04");
	KT_STREQ(read_str(3), "abc");
	KT_STREQ(read_str(100), "");            /* the second ^D: end of file */
	KT_STREQ(read_str(100), "<none>");
}

static void t_eol_delimits_a_line(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	set_cc(VEOL, ';');
	type("a;b");
	KT_STREQ(read_str(100), "a;");
	KT_STREQ(read_str(100), "<none>");
}

static void t_echo_off_echoes_nothing(const void *arg)
{
	(void)arg;
	fresh(ECHO, 0);
	type("secret\n");
	KT_STREQ(echoed(), "");
	KT_STREQ(read_str(100), "secret\n");
}

static void t_echonl_echoes_newline_without_echo(const void *arg)
{
	(void)arg;
	fresh(ECHO, ECHONL);
	type("pw\n");
	KT_STREQ(echoed(), "\r\n");
}

static void t_canon_line_limit_keeps_room_for_newline(const void *arg)
{
	(void)arg;
	fresh(ECHO, 0);
	char *big = malloc(TD_RING + 10);
	memset(big, 'x', TD_RING + 10);
	type_n(big, TD_RING + 10);
	KT_EQ(td->count, TD_RING - 1);
	KT_EQ(td->dropped, 11);
	type("\n");
	const char *r = read_str(TD_RING + 1);
	KT_EQ(strlen(r), TD_RING);
	KT_EQ(r[TD_RING - 1], '\n');
	free(big);
}

/* ---- signals ------------------------------------------------------------- */

static void t_isig_chars_raise_signals_and_flush(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("half\x03");
	type("x\x1c" "y\x1a");
	KT_EQ(sink->nsig, 3);
	KT_EQ(sink->sigs[0], SIGINT);
	KT_EQ(sink->sigs[1], SIGQUIT);
	KT_EQ(sink->sigs[2], SIGTSTP);
	type("\n");
	KT_STREQ(read_str(100), "\n");          /* what came before each was flushed */
}

static void t_noflsh_keeps_input(const void *arg)
{
	(void)arg;
	fresh(0, NOFLSH);
	type("keep\x03" "\n");
	KT_EQ(sink->nsig, 1);
	KT_STREQ(read_str(100), "keep\n");
}

static void t_no_isig_passes_chars_as_data(const void *arg)
{
	(void)arg;
	fresh(ISIG, 0);
	type("a\x03\n");
	KT_EQ(sink->nsig, 0);
	KT_STREQ(read_str(100), "a\x03\n");
}

static void t_disabled_cc_matches_nothing(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	set_cc(VINTR, TD_VDISABLE);
	type("\x03\n");
	KT_EQ(sink->nsig, 0);
	KT_STREQ(read_str(100), "\x03\n");
}

/* ---- input mapping ------------------------------------------------------- */

static void t_icrnl_maps_cr_to_nl(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("line\r");
	KT_STREQ(read_str(100), "line\n");
	KT_STREQ(echoed(), "line\r\n");
	set_iflag(0);
	type("raw\r\n");
	KT_STREQ(read_str(100), "raw\r\n");
}

static void t_igncr_drops_cr(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	set_iflag(IGNCR | ICRNL);
	type("a\rb\n");
	KT_STREQ(read_str(100), "ab\n");
}

static void t_inlcr_maps_nl_to_cr(const void *arg)
{
	(void)arg;
	fresh(ICANON, 0);
	set_iflag(INLCR);
	type("a\n");
	KT_STREQ(read_str(100), "a\r");
}

static void t_istrip_clears_bit_seven(const void *arg)
{
	(void)arg;
	fresh(ICANON, 0);
	set_iflag(ISTRIP);
	type("\xc1");
	KT_STREQ(read_str(100), "A");
}

/* ---- output ---------------------------------------------------------------- */

static void t_onlcr_maps_nl_to_crnl(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	td_write(td, "a\nb\n", 4);
	KT_STREQ(echoed(), "a\r\nb\r\n");
}

static void t_opost_off_writes_bytes_unchanged(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	struct termios t = td->t;
	t.c_oflag &= ~OPOST;
	td_setattr(td, &t);
	td_write(td, "a\nb\r\0", 5);
	KT_EQ(sink->nout, 5);
	KT_CHECK(memcmp(sink->out, "a\nb\r\0", 5) == 0);
}

static void t_ocrnl_maps_cr_to_nl(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	struct termios t = td->t;
	t.c_oflag = OPOST | OCRNL;
	td_setattr(td, &t);
	td_write(td, "a\r", 2);
	KT_STREQ(echoed(), "a\n");
}

static void t_long_write_is_complete(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	char buf[1000];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = i % 10 == 9 ? '\n' : 'a';
	td_write(td, buf, sizeof buf);
	KT_EQ(sink->nout, 1100);
}

/* ---- non-canonical mode ---------------------------------------------------- */

static void t_noncanon_min1_returns_each_byte(const void *arg)
{
	(void)arg;
	fresh(ICANON, 0);
	KT_STREQ(read_str(10), "<none>");
	type("x");
	KT_STREQ(read_str(10), "x");
	type("\x7f");                           /* no editing */
	KT_STREQ(read_str(10), "\x7f");
}

static void t_noncanon_min_waits_for_min_bytes(const void *arg)
{
	(void)arg;
	fresh(ICANON, 0);
	set_cc(VMIN, 3);
	type("ab");
	KT_STREQ(read_str(10), "<none>");
	KT_EQ(td_can_read(td, 2), 1);           /* a smaller read needs fewer */
	type("cd");
	KT_STREQ(read_str(10), "abcd");
}

static void t_noncanon_vtime_timers(const void *arg)
{
	(void)arg;
	fresh(ICANON, 0);
	set_cc(VMIN, 0);
	set_cc(VTIME, 5);
	KT_STREQ(read_str(10), "<none>");
	KT_EQ(td_read_timeout(td), 5);          /* from the read's start */
	set_cc(VMIN, 2);
	KT_EQ(td_read_timeout(td), 0);          /* inter-byte: not before a byte */
	type("a");
	KT_EQ(td_read_timeout(td), 5);
	KT_STREQ(read_str(10), "<none>");
	set_cc(VTIME, 0);
	set_cc(VMIN, 0);
	KT_EQ(td_can_read(td, 10), 1);          /* polling read */
	KT_STREQ(read_str(10), "a");
	KT_STREQ(read_str(10), "");
}

static void t_noncanon_ring_loses_nothing_up_to_its_size(const void *arg)
{
	(void)arg;
	fresh(ICANON | ECHO | ISIG, 0);
	set_iflag(0);                           /* every byte value is data */
	for (uint32_t i = 0; i < TD_RING + 5; i++)
		td_input(td, (uint8_t)(i * 7));
	KT_EQ(td->count, TD_RING);
	KT_EQ(td->dropped, 5);
	static uint8_t buf[TD_RING];
	KT_EQ(td_read(td, buf, sizeof buf), TD_RING);
	bool same = true;
	for (uint32_t i = 0; i < TD_RING; i++)
		same &= buf[i] == (uint8_t)(i * 7);
	KT_CHECK(same);
}

static void t_ring_wraps_around(const void *arg)
{
	(void)arg;
	fresh(ECHO, 0);
	char line[1001];
	memset(line, 'q', 1000);
	line[1000] = '\n';
	for (int round = 0; round < 20; round++) {
		line[0] = (char)('A' + round);
		type_n(line, sizeof line);
		const char *r = read_str(sizeof line + 5);
		KT_EQ(strlen(r), sizeof line);
		KT_EQ(r[0], 'A' + round);
	}
}

static void t_leaving_canon_makes_partial_line_readable(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("part");
	KT_STREQ(read_str(10), "<none>");
	struct termios t = td->t;
	t.c_lflag &= ~ICANON;
	td_setattr(td, &t);
	KT_STREQ(read_str(10), "part");
}

static void t_flush_discards_input(const void *arg)
{
	(void)arg;
	fresh(0, 0);
	type("gone\nalso");
	td_flush_input(td);
	KT_EQ(td_readable(td), 0);
	type("new\n");
	KT_STREQ(read_str(10), "new\n");
}

/* Random bytes in every mode: the queue's invariants hold and nothing
 * reads outside the ring (ASan watches). */
static void t_random_input_keeps_invariants(const void *arg)
{
	(void)arg;
	kt_srand(12);
	fresh(0, 0);
	static uint8_t buf[TD_RING];
	for (int i = 0; i < 200000; i++) {
		uint64_t r = kt_rand();
		if (r % 5000 == 0) {
			struct termios t = td->t;
			t.c_lflag ^= (tcflag_t)(r >> 16) & (ICANON | ECHO | ECHOE | ECHOK | ISIG);
			t.c_iflag = (tcflag_t)(r >> 24) & (ICRNL | IGNCR | INLCR);
			td_setattr(td, &t);
		}
		if (r % 7 == 0)
			td_read(td, buf, (r >> 8) % 64);
		else
			td_input(td, (uint8_t)(r >> 32));
		sink->nout = 0;
		KT_REQUIRE(td->count <= TD_RING && td->ready <= td->count && td->head < TD_RING);
	}
}

static const struct kt_case cases[] = {
	{ "canon_line_waits_for_newline", t_canon_line_waits_for_newline, NULL },
	{ "canon_read_takes_one_line_at_a_time", t_canon_read_takes_one_line_at_a_time, NULL },
	{ "canon_short_read_leaves_rest_of_line", t_canon_short_read_leaves_rest_of_line, NULL },
	{ "erase_del_and_bs_both_erase", t_erase_del_and_bs_both_erase, NULL },
	{ "erase_stops_at_line_start", t_erase_stops_at_line_start, NULL },
	{ "echoe_rubs_out_erased_char", t_echoe_rubs_out_erased_char, NULL },
	{ "erase_without_echoe_echoes_erase_char", t_erase_without_echoe_echoes_erase_char, NULL },
	{ "kill_discards_line", t_kill_discards_line, NULL },
	{ "echok_with_echoe_rubs_out_line", t_echok_with_echoe_rubs_out_line, NULL },
	{ "echok_alone_echoes_kill_then_newline", t_echok_alone_echoes_kill_then_newline, NULL },
	{ "werase_erases_word_and_blanks", t_werase_erases_word_and_blanks, NULL },
	{ "eof_passes_partial_line_without_mark", t_eof_passes_partial_line_without_mark, NULL },
	{ "eof_at_line_start_reads_zero", t_eof_at_line_start_reads_zero, NULL },
	{ "eof_after_exactly_filled_read", t_eof_after_exactly_filled_read_is_not_an_empty_line, NULL },
	{ "eol_delimits_a_line", t_eol_delimits_a_line, NULL },
	{ "echo_off_echoes_nothing", t_echo_off_echoes_nothing, NULL },
	{ "echonl_echoes_newline_without_echo", t_echonl_echoes_newline_without_echo, NULL },
	{ "canon_line_limit_keeps_room_for_newline", t_canon_line_limit_keeps_room_for_newline, NULL },
	{ "isig_chars_raise_signals_and_flush", t_isig_chars_raise_signals_and_flush, NULL },
	{ "noflsh_keeps_input", t_noflsh_keeps_input, NULL },
	{ "no_isig_passes_chars_as_data", t_no_isig_passes_chars_as_data, NULL },
	{ "disabled_cc_matches_nothing", t_disabled_cc_matches_nothing, NULL },
	{ "icrnl_maps_cr_to_nl", t_icrnl_maps_cr_to_nl, NULL },
	{ "igncr_drops_cr", t_igncr_drops_cr, NULL },
	{ "inlcr_maps_nl_to_cr", t_inlcr_maps_nl_to_cr, NULL },
	{ "istrip_clears_bit_seven", t_istrip_clears_bit_seven, NULL },
	{ "onlcr_maps_nl_to_crnl", t_onlcr_maps_nl_to_crnl, NULL },
	{ "opost_off_writes_bytes_unchanged", t_opost_off_writes_bytes_unchanged, NULL },
	{ "ocrnl_maps_cr_to_nl", t_ocrnl_maps_cr_to_nl, NULL },
	{ "long_write_is_complete", t_long_write_is_complete, NULL },
	{ "noncanon_min1_returns_each_byte", t_noncanon_min1_returns_each_byte, NULL },
	{ "noncanon_min_waits_for_min_bytes", t_noncanon_min_waits_for_min_bytes, NULL },
	{ "noncanon_vtime_timers", t_noncanon_vtime_timers, NULL },
	{ "noncanon_ring_loses_nothing_up_to_its_size", t_noncanon_ring_loses_nothing_up_to_its_size, NULL },
	{ "ring_wraps_around", t_ring_wraps_around, NULL },
	{ "leaving_canon_makes_partial_line_readable", t_leaving_canon_makes_partial_line_readable, NULL },
	{ "flush_discards_input", t_flush_discards_input, NULL },
	{ "random_input_keeps_invariants", t_random_input_keeps_invariants, NULL },
};

int main(void)
{
	int r = kt_run(cases, KT_COUNT(cases));

	free(td);
	free(sink);
	return r;
}
