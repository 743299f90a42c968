#pragma once
#include <stddef.h>
#include <conf.h>

extern const struct conf_case conf_thread_cases[];
extern const size_t conf_thread_ncases;
extern const struct conf_case conf_sync_cases[];
extern const size_t conf_sync_ncases;
extern const struct conf_case conf_cancel_cases[];
extern const size_t conf_cancel_ncases;
