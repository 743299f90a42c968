#pragma once
/* errno and Keel's error numbers.  The package's header declares errno (a
 * thread-local int) and its own numbers; every number is replaced here by
 * Keel's: the values of the kernel ABI (<keel/errno.h>, which fixes some of
 * them; a differing redefinition would not compile), following QNX Neutrino.
 * Never renumber one.  strerror (src/errno/strerror.c) names each.
 *
 * Known gap: package members compiled against the package's numbers store
 * those; they agree with Keel's for 1..34 (everything the package's string,
 * stdlib and stdio code sets in practice: EINVAL, ENOMEM, ERANGE, EDOM,
 * EBADF), but the package's EOVERFLOW and EILSEQ (printf overflow, multibyte
 * conversion) are not Keel's. */
#include_next <sys/errno.h>

#undef E2BIG
#undef EACCES
#undef EADDRINUSE
#undef EADDRNOTAVAIL
#undef EADV
#undef EAFNOSUPPORT
#undef EAGAIN
#undef EALREADY
#undef EBADE
#undef EBADF
#undef EBADFD
#undef EBADMSG
#undef EBADR
#undef EBADRQC
#undef EBADSLT
#undef EBFONT
#undef EBUSY
#undef ECANCELED
#undef ECASECLASH
#undef ECHILD
#undef ECHRNG
#undef ECOMM
#undef ECONNABORTED
#undef ECONNREFUSED
#undef ECONNRESET
#undef EDEADLK
#undef EDEADLOCK
#undef EDESTADDRREQ
#undef EDOM
#undef EDOTDOT
#undef EDQUOT
#undef EEXIST
#undef EFAULT
#undef EFBIG
#undef EFTYPE
#undef EHOSTDOWN
#undef EHOSTUNREACH
#undef EIDRM
#undef EILSEQ
#undef EINPROGRESS
#undef EINTR
#undef EINVAL
#undef EIO
#undef EISCONN
#undef EISDIR
#undef EL2HLT
#undef EL2NSYNC
#undef EL3HLT
#undef EL3RST
#undef ELBIN
#undef ELIBACC
#undef ELIBBAD
#undef ELIBEXEC
#undef ELIBMAX
#undef ELIBSCN
#undef ELNRNG
#undef ELOOP
#undef EMFILE
#undef EMLINK
#undef EMSGSIZE
#undef EMULTIHOP
#undef ENAMETOOLONG
#undef ENETDOWN
#undef ENETRESET
#undef ENETUNREACH
#undef ENFILE
#undef ENMFILE
#undef ENOANO
#undef ENOBUFS
#undef ENOCSI
#undef ENODATA
#undef ENODEV
#undef ENOENT
#undef ENOEXEC
#undef ENOLCK
#undef ENOLINK
#undef ENOMEDIUM
#undef ENOMEM
#undef ENOMSG
#undef ENONET
#undef ENOPKG
#undef ENOPROTOOPT
#undef ENOSHARE
#undef ENOSPC
#undef ENOSR
#undef ENOSTR
#undef ENOSYS
#undef ENOTBLK
#undef ENOTCONN
#undef ENOTDIR
#undef ENOTEMPTY
#undef ENOTRECOVERABLE
#undef ENOTSOCK
#undef ENOTSUP
#undef ENOTTY
#undef ENOTUNIQ
#undef ENXIO
#undef EOPNOTSUPP
#undef EOVERFLOW
#undef EOWNERDEAD
#undef EPERM
#undef EPFNOSUPPORT
#undef EPIPE
#undef EPROCLIM
#undef EPROTO
#undef EPROTONOSUPPORT
#undef EPROTOTYPE
#undef ERANGE
#undef EREMCHG
#undef EREMOTE
#undef EROFS
#undef ESHUTDOWN
#undef ESOCKTNOSUPPORT
#undef ESPIPE
#undef ESRCH
#undef ESRMNT
#undef ESTALE
#undef ESTRPIPE
#undef ETIME
#undef ETIMEDOUT
#undef ETOOMANYREFS
#undef ETXTBSY
#undef EUNATCH
#undef EUSERS
#undef EWOULDBLOCK
#undef EXDEV
#undef EXFULL

#define EPERM            1
#define ENOENT           2
#define ESRCH            3
#define EINTR            4
#define EIO              5
#define ENXIO            6
#define E2BIG            7
#define ENOEXEC          8
#define EBADF            9
#define ECHILD           10
#define EAGAIN           11
#define ENOMEM           12
#define EACCES           13
#define EFAULT           14
#define ENOTBLK          15
#define EBUSY            16
#define EEXIST           17
#define EXDEV            18
#define ENODEV           19
#define ENOTDIR          20
#define EISDIR           21
#define EINVAL           22
#define ENFILE           23
#define EMFILE           24
#define ENOTTY           25
#define ETXTBSY          26
#define EFBIG            27
#define ENOSPC           28
#define ESPIPE           29
#define EROFS            30
#define EMLINK           31
#define EPIPE            32
#define EDOM             33
#define ERANGE           34
#define ENOMSG           35
#define EIDRM            36
#define EDEADLK          45
#define ENOLCK           46
#define ECANCELED        47
#define ENOTSUP          48
#define EDQUOT           49
#define ENOSTR           60
#define ENODATA          61
#define ETIME            62
#define ENOSR            63
#define ENOLINK          67
#define EPROTO           71
#define EMULTIHOP        74
#define EBADMSG          77
#define ENAMETOOLONG     78
#define EOVERFLOW        79
#define EILSEQ           88
#define ENOSYS           89
#define ELOOP            90
#define ENOTEMPTY        93
#define EOPNOTSUPP       103
#define ESTALE           122
#define ENOTCONN         134
#define EINPROGRESS      236
#define EALREADY         237
#define ENOTSOCK         238
#define EDESTADDRREQ     239
#define EMSGSIZE         240
#define EPROTOTYPE       241
#define ENOPROTOOPT      242
#define EPROTONOSUPPORT  243
#define EAFNOSUPPORT     247
#define EADDRINUSE       248
#define EADDRNOTAVAIL    249
#define ENETDOWN         250
#define ENETUNREACH      251
#define ENETRESET        252
#define ECONNABORTED     253
#define ECONNRESET       254
#define ENOBUFS          255
#define EISCONN          256
#define ETIMEDOUT        260
#define ECONNREFUSED     261
#define EHOSTUNREACH     265
#define ESRVRFAULT       312
#define EOWNERDEAD       358
#define ENOTRECOVERABLE  359

#define EOK              0
#define EWOULDBLOCK      EAGAIN
#define EDEADLOCK        EDEADLK
