/* conf-clocks: POSIX.1-2017 clocks, sleeps and time on Keel's libc
 * (ClockTime, TimerTimeout).  Each case names the XSH page it checks
 * (tests/target/include/conf.h).  Run as the first process:
 *   make run CMDLINE="init=/bin/conf-clocks"                          */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <conf.h>

#define MS 1000000ull

static uint64_t ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ns_of(&ts);
}

static void t_clock_gettime__monotonic_never_goes_back(void)
{
	uint64_t prev = mono();

	for (int i = 0; i < 2000; i++) {
		uint64_t now = mono();
		if (now < prev) {
			CONF_FAIL("went back: %llu after %llu", (unsigned long long)now,
				  (unsigned long long)prev);
			return;
		}
		prev = now;
	}
}

static void t_clock_gettime__nsec_in_range(void)
{
	static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
					 CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };

	for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct timespec ts = { -1, -1 };
		CHECK_EQ(clock_gettime(ids[i], &ts), 0);
		CHECK(ts.tv_sec >= 0);
		CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	}
}

static void t_clock_gettime__bad_clock_is_EINVAL(void)
{
	struct timespec ts;

	CHECK_ERR(clock_gettime(-1, &ts), EINVAL);
	CHECK_ERR(clock_gettime(12345, &ts), EINVAL);
}

static void t_clock_gettime__bad_pointer_is_EFAULT(void)
{
	CHECK_ERR(clock_gettime(CLOCK_MONOTONIC, NULL), EFAULT);
	CHECK_ERR(clock_gettime(CLOCK_MONOTONIC, (struct timespec *)0xffffffff80000000ul), EFAULT);
	CHECK_ERR(clock_gettime(CLOCK_MONOTONIC, (struct timespec *)0x2000000000ul), EFAULT);
}

static void t_clock_getres__positive_and_at_most_a_millisecond(void)
{
	struct timespec r = { -1, -1 };

	CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &r), 0);
	CHECK(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000);
	CHECK_EQ(clock_getres(CLOCK_REALTIME, NULL), 0);
	CHECK_ERR(clock_getres(-5, &r), EINVAL);
}

static void t_clock_settime__monotonic_is_EINVAL(void)
{
	struct timespec ts = { 100, 0 };

	CHECK_ERR(clock_settime(CLOCK_MONOTONIC, &ts), EINVAL);
	ts.tv_nsec = 1000000000;
	CHECK_ERR(clock_settime(CLOCK_REALTIME, &ts), EINVAL);
}

static void t_clock_settime__realtime_moves_and_monotonic_does_not(void)
{
	struct timespec old, set = { 1800000000, 0 }, now;
	uint64_t m0 = mono();

	REQUIRE(clock_gettime(CLOCK_REALTIME, &old) == 0);
	REQUIRE(clock_settime(CLOCK_REALTIME, &set) == 0);
	REQUIRE(clock_gettime(CLOCK_REALTIME, &now) == 0);
	CHECK(now.tv_sec >= 1800000000 && now.tv_sec < 1800000010);
	CHECK(mono() - m0 < 5000 * MS);
	CHECK_EQ(time(NULL) / 10, now.tv_sec / 10);
	clock_settime(CLOCK_REALTIME, &old);
}

static void t_nanosleep__sleeps_at_least_the_time(void)
{
	struct timespec req = { 0, 30 * 1000000 };
	uint64_t t0 = mono();

	CHECK_EQ(nanosleep(&req, NULL), 0);
	uint64_t took = mono() - t0;
	CHECK(took >= 30 * MS);
	CHECK(took < 3000 * MS);
}

static void t_nanosleep__bad_nsec_is_EINVAL(void)
{
	struct timespec big = { 0, 1000000000 }, neg = { 0, -1 }, negsec = { -1, 0 };

	CHECK_ERR(nanosleep(&big, NULL), EINVAL);
	CHECK_ERR(nanosleep(&neg, NULL), EINVAL);
	CHECK_ERR(nanosleep(&negsec, NULL), EINVAL);
}

static void t_nanosleep__zero_returns_at_once(void)
{
	struct timespec zero = { 0, 0 };

	CHECK_EQ(nanosleep(&zero, NULL), 0);
}

static void t_nanosleep__bad_pointer_is_EFAULT(void)
{
	CHECK_ERR(nanosleep(NULL, NULL), EFAULT);
	CHECK_ERR(nanosleep((struct timespec *)0xffffffff80001000ul, NULL), EFAULT);
}

static void t_clock_nanosleep__absolute_monotonic_deadline(void)
{
	struct timespec dl;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	uint64_t target = ns_of(&dl) + 25 * MS;
	dl.tv_sec = (time_t)(target / 1000000000u);
	dl.tv_nsec = (long)(target % 1000000000u);
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL), 0);
	CHECK(mono() >= target);
}

static void t_clock_nanosleep__absolute_realtime_deadline(void)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_nsec += 20 * 1000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	uint64_t target = ns_of(&dl);
	CHECK_EQ(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &dl, NULL), 0);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	CHECK(ns_of(&now) >= target);
}

static void t_clock_nanosleep__past_deadline_returns_at_once(void)
{
	struct timespec past = { 0, 1 };
	uint64_t t0 = mono();

	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
	CHECK(mono() - t0 < 1000 * MS);
}

static void t_clock_nanosleep__returns_error_numbers(void)
{
	struct timespec req = { 0, 1000 }, bad = { 0, 1000000000 };

	errno = 0;
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
	CHECK_EQ(errno, 0);             /* it returns the error, errno untouched */
	CHECK_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EINVAL);
	CHECK_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &req, NULL), ENOTSUP);
	CHECK_EQ(clock_nanosleep(777, 0, &req, NULL), EINVAL);
}

static void t_sleep__zero_and_one_second(void)
{
	CHECK_EQ(sleep(0), 0);
	uint64_t t0 = mono();
	CHECK_EQ(sleep(1), 0);
	CHECK(mono() - t0 >= 1000 * MS);
}

static void t_usleep__sleeps_microseconds(void)
{
	uint64_t t0 = mono();

	CHECK_EQ(usleep(15000), 0);
	CHECK(mono() - t0 >= 15 * MS);
}

static void t_time__agrees_with_realtime_clock(void)
{
	time_t t1;
	struct timespec ts;

	REQUIRE(clock_gettime(CLOCK_REALTIME, &ts) == 0);
	time_t t0 = time(&t1);
	CHECK_EQ(t0, t1);
	CHECK(t0 >= ts.tv_sec && t0 <= ts.tv_sec + 2);
}

static void t_gettimeofday__agrees_with_realtime_clock(void)
{
	struct timeval tv;
	struct timespec ts;

	REQUIRE(clock_gettime(CLOCK_REALTIME, &ts) == 0);
	CHECK_EQ(gettimeofday(&tv, NULL), 0);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK(tv.tv_sec >= ts.tv_sec && tv.tv_sec <= ts.tv_sec + 2);
}

static void spin_ms(unsigned ms)
{
	uint64_t end = mono() + ms * MS;

	while (mono() < end)
		;
}

static void t_clock_gettime__process_cputime_grows_with_work(void)
{
	struct timespec a, b;

	REQUIRE(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a) == 0);
	spin_ms(30);
	REQUIRE(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b) == 0);
	CHECK(ns_of(&b) - ns_of(&a) >= 10 * MS);
}

static void t_clock_gettime__thread_cputime_stays_during_sleep(void)
{
	struct timespec a, b, req = { 0, 50 * 1000000 };

	REQUIRE(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a) == 0);
	nanosleep(&req, NULL);
	REQUIRE(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b) == 0);
	CHECK(ns_of(&b) - ns_of(&a) < 25 * MS);
}

static void *spin_30(void *arg)
{
	(void)arg;
	spin_ms(30);
	return NULL;
}

static void t_pthread_getcpuclockid__reads_another_threads_time(void)
{
	pthread_t t;
	clockid_t c;
	struct timespec ts;

	REQUIRE(pthread_create(&t, NULL, spin_30, NULL) == 0);
	REQUIRE(pthread_getcpuclockid(t, &c) == 0);
	spin_ms(5);
	CHECK_EQ(clock_gettime(c, &ts), 0);
	pthread_join(t, NULL);
}

static void t_clock_getcpuclockid__own_process(void)
{
	clockid_t c;
	struct timespec ts;

	CHECK_EQ(clock_getcpuclockid(0, &c), 0);
	CHECK_EQ(clock_gettime(c, &ts), 0);
	CHECK(ns_of(&ts) > 0);
	CHECK_EQ(clock_getcpuclockid(99999, &c), ESRCH);
}

static void t_clock__counts_cpu_time_in_CLOCKS_PER_SEC(void)
{
	clock_t c0 = clock();

	spin_ms(40);
	clock_t used = clock() - c0;
	CHECK(used >= 20 * (CLOCKS_PER_SEC / 1000));   /* at least half the spin */
	CHECK(used <= 4000 * (CLOCKS_PER_SEC / 1000));
}

static void t_times__elapsed_and_user_time_advance(void)
{
	struct tms a, b;
	clock_t e0 = times(&a);

	spin_ms(40);
	clock_t e1 = times(&b);
	CHECK(e0 != (clock_t)-1);
	clock_t tick = (clock_t)sysconf(_SC_CLK_TCK);
	CHECK_EQ(tick, CLOCKS_PER_SEC);
	CHECK(e1 - e0 >= 35 * tick / 1000);
	CHECK(b.tms_utime - a.tms_utime >= 10 * tick / 1000);
	CHECK(clock() >= b.tms_utime);
}

static void t_clock_gettime__realtime_follows_monotonic_rate(void)
{
	struct timespec r0, r1;
	uint64_t m0 = mono();

	clock_gettime(CLOCK_REALTIME, &r0);
	spin_ms(20);
	clock_gettime(CLOCK_REALTIME, &r1);
	uint64_t dm = mono() - m0, dr = ns_of(&r1) - ns_of(&r0);
	CHECK(dr <= dm + MS && dr + 5 * MS >= dm);
}

static void t_mktime__round_trips_gmtime(void)
{
	time_t t = 1700000000;
	struct tm tm;

	REQUIRE(gmtime_r(&t, &tm) != NULL);
	CHECK_EQ(tm.tm_year, 123);
	CHECK_EQ(tm.tm_mon, 10);
	CHECK_EQ(tm.tm_mday, 14);
	CHECK_EQ(mktime(&tm), t);       /* TZ unset: UTC */
}

static void t_strftime__formats_iso_date(void)
{
	time_t t = 0;
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	CHECK_EQ(strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm), 19);
	CHECK(strcmp(buf, "1970-01-01 00:00:00") == 0);
}

/* A channel of our own and a connection to it, for timer pulses. */
static int pulse_chid = -1, pulse_coid = -1;

static int pulse_setup(void)
{
	if (pulse_chid < 0) {
		pulse_chid = ChannelCreate(0);
		pulse_coid = ConnectAttach(ND_LOCAL_NODE, 0, pulse_chid, _NTO_SIDE_CHANNEL, 0);
	}
	return pulse_coid;
}

/* The next pulse within ms: its code, or -1 on timeout. */
static int pulse_wait(long ms, int *value)
{
	struct _pulse p;
	uint64_t ns = (uint64_t)ms * MS;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns, NULL);
	if (MsgReceivePulse(pulse_chid, &p, sizeof p, NULL) < 0)
		return -1;
	if (value)
		*value = p.value.sival_int;
	return p.code;
}

static timer_t pulse_timer(clockid_t c, int code, int value)
{
	struct sigevent ev;
	timer_t t = (timer_t)-1;

	SIGEV_PULSE_INIT(&ev, pulse_setup(), SIGEV_PULSE_PRIO_INHERIT, code, value);
	if (timer_create(c, &ev, &t) < 0)
		return (timer_t)-1;
	return t;
}

static void t_timer_create__one_shot_pulse_arrives(void)
{
	timer_t t = pulse_timer(CLOCK_MONOTONIC, 7, 99);
	struct itimerspec it = { .it_value = { 0, 20 * 1000000 } };
	int value = 0;

	REQUIRE(t != (timer_t)-1);
	uint64_t t0 = mono();
	CHECK_EQ(timer_settime(t, 0, &it, NULL), 0);
	CHECK_EQ(pulse_wait(2000, &value), 7);
	CHECK(mono() - t0 >= 20 * MS);
	CHECK_EQ(value, 99);
	CHECK_EQ(pulse_wait(60, NULL), -1);             /* one shot: no second pulse */
	CHECK_EQ(timer_delete(t), 0);
}

static void t_timer_settime__periodic_pulses(void)
{
	timer_t t = pulse_timer(CLOCK_MONOTONIC, 8, 1);
	struct itimerspec it = { .it_value = { 0, 10 * 1000000 }, .it_interval = { 0, 10 * 1000000 } };

	REQUIRE(t != (timer_t)-1);
	CHECK_EQ(timer_settime(t, 0, &it, NULL), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pulse_wait(2000, NULL), 8);
	struct itimerspec off = { 0 };
	CHECK_EQ(timer_settime(t, 0, &off, NULL), 0);   /* disarm */
	while (pulse_wait(30, NULL) >= 0)
		;                                       /* one may have been on its way */
	CHECK_EQ(pulse_wait(50, NULL), -1);
	CHECK_EQ(timer_delete(t), 0);
}

static void t_timer_settime__absolute_realtime(void)
{
	timer_t t = pulse_timer(CLOCK_REALTIME, 9, 0);
	struct itimerspec it = { 0 };

	REQUIRE(t != (timer_t)-1);
	clock_gettime(CLOCK_REALTIME, &it.it_value);
	it.it_value.tv_nsec += 15 * 1000000;
	if (it.it_value.tv_nsec >= 1000000000) {
		it.it_value.tv_sec++;
		it.it_value.tv_nsec -= 1000000000;
	}
	CHECK_EQ(timer_settime(t, TIMER_ABSTIME, &it, NULL), 0);
	CHECK_EQ(pulse_wait(2000, NULL), 9);
	timer_delete(t);
}

static void t_timer_gettime__counts_down_and_reports_period(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	timer_t t;
	struct itimerspec it = { .it_value = { 5, 0 }, .it_interval = { 1, 0 } }, now, old;

	REQUIRE(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	CHECK_EQ(timer_settime(t, 0, &it, NULL), 0);
	spin_ms(20);
	CHECK_EQ(timer_gettime(t, &now), 0);
	CHECK(now.it_value.tv_sec < 5 && now.it_value.tv_sec >= 3);
	CHECK_EQ(now.it_interval.tv_sec, 1);
	struct itimerspec off = { 0 };
	CHECK_EQ(timer_settime(t, 0, &off, &old), 0);
	CHECK(old.it_value.tv_sec >= 3);                /* what was left */
	CHECK_EQ(timer_gettime(t, &now), 0);
	CHECK(now.it_value.tv_sec == 0 && now.it_value.tv_nsec == 0);
	CHECK_EQ(timer_delete(t), 0);
}

static void t_timer_delete__then_the_id_is_EINVAL(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec v;
	timer_t t;

	REQUIRE(timer_create(CLOCK_REALTIME, &ev, &t) == 0);
	CHECK_EQ(timer_delete(t), 0);
	CHECK_ERR(timer_gettime(t, &v), EINVAL);
	CHECK_ERR(timer_delete(t), EINVAL);
	CHECK_ERR(timer_getoverrun(t), EINVAL);
}

static void t_timer_create__bad_clock_and_unsupported_notify(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	timer_t t;

	CHECK_ERR(timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &t), EINVAL);
	CHECK_ERR(timer_create(CLOCK_MONOTONIC, &ev, NULL), EFAULT);
	ev.sigev_notify = SIGEV_THREAD;
	CHECK_ERR(timer_create(CLOCK_MONOTONIC, &ev, &t), ENOTSUP);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int signo)
{
	(void)signo;
	alarms++;
}

/* Waits up to 2 s for `alarms` to reach n. */
static bool alarms_reach(int n)
{
	for (int i = 0; i < 200 && alarms < n; i++) {
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	return alarms >= n;
}

static void t_timer_create__SIGEV_SIGNAL_sends_the_signal(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	struct itimerspec its = { .it_value = { 0, 50000000 } };
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	timer_t t;

	alarms = 0;
	REQUIRE(sigaction(SIGALRM, &sa, &old) == 0);
	REQUIRE(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	CHECK_EQ(timer_settime(t, 0, &its, NULL), 0);
	CHECK(alarms_reach(1));
	CHECK_EQ(timer_delete(t), 0);
	sigaction(SIGALRM, &old, NULL);
}

static void t_alarm__raises_SIGALRM_and_tells_the_time_left(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;

	alarms = 0;
	REQUIRE(sigaction(SIGALRM, &sa, &old) == 0);
	CHECK_EQ(alarm(100), 0u);
	CHECK_EQ(alarm(1), 100u);               /* replaced: 100 s were left */
	CHECK(alarms_reach(1));
	CHECK_EQ(alarm(0), 0u);
	sigaction(SIGALRM, &old, NULL);
}

static void t_timer_settime__bad_time_is_EINVAL(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec bad = { .it_value = { 0, 1000000000 } };
	timer_t t;

	REQUIRE(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	CHECK_ERR(timer_settime(t, 0, &bad, NULL), EINVAL);
	timer_delete(t);
}

static const struct conf_case cases[] = {
	CONF_CASE(clock_gettime, monotonic_never_goes_back),
	CONF_CASE(clock_gettime, nsec_in_range),
	CONF_CASE(clock_gettime, bad_clock_is_EINVAL),
	CONF_CASE(clock_gettime, bad_pointer_is_EFAULT),
	CONF_CASE(clock_getres, positive_and_at_most_a_millisecond),
	CONF_CASE(clock_settime, monotonic_is_EINVAL),
	CONF_CASE(clock_settime, realtime_moves_and_monotonic_does_not),
	CONF_CASE(nanosleep, sleeps_at_least_the_time),
	CONF_CASE(nanosleep, bad_nsec_is_EINVAL),
	CONF_CASE(nanosleep, zero_returns_at_once),
	CONF_CASE(nanosleep, bad_pointer_is_EFAULT),
	CONF_CASE(clock_nanosleep, absolute_monotonic_deadline),
	CONF_CASE(clock_nanosleep, absolute_realtime_deadline),
	CONF_CASE(clock_nanosleep, past_deadline_returns_at_once),
	CONF_CASE(clock_nanosleep, returns_error_numbers),
	CONF_CASE(sleep, zero_and_one_second),
	CONF_CASE(usleep, sleeps_microseconds),
	CONF_CASE(time, agrees_with_realtime_clock),
	CONF_CASE(gettimeofday, agrees_with_realtime_clock),
	CONF_CASE(clock_gettime, process_cputime_grows_with_work),
	CONF_CASE(clock_gettime, thread_cputime_stays_during_sleep),
	CONF_CASE(pthread_getcpuclockid, reads_another_threads_time),
	CONF_CASE(clock_getcpuclockid, own_process),
	CONF_CASE(times, elapsed_and_user_time_advance),
	CONF_CASE(clock, counts_cpu_time_in_CLOCKS_PER_SEC),
	CONF_CASE(timer_create, one_shot_pulse_arrives),
	CONF_CASE(timer_settime, periodic_pulses),
	CONF_CASE(timer_settime, absolute_realtime),
	CONF_CASE(timer_gettime, counts_down_and_reports_period),
	CONF_CASE(timer_delete, then_the_id_is_EINVAL),
	CONF_CASE(timer_create, bad_clock_and_unsupported_notify),
	CONF_CASE(timer_create, SIGEV_SIGNAL_sends_the_signal),
	CONF_CASE(alarm, raises_SIGALRM_and_tells_the_time_left),
	CONF_CASE(timer_settime, bad_time_is_EINVAL),
	CONF_CASE(clock_gettime, realtime_follows_monotonic_rate),
	CONF_CASE(mktime, round_trips_gmtime),
	CONF_CASE(strftime, formats_iso_date),
};

int main(void)
{
	return conf_run("conf-clocks", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
}
