#pragma once
/* NVM Express: the registers, commands and completions devb-nvme uses
 * (NVMe base specification 1.4 layouts). */
#include <stdint.h>

/* Controller registers (BAR0). */
#define NVME_CAP        0x00            /* 64 */
#define NVME_VS         0x08
#define NVME_INTMS      0x0c
#define NVME_INTMC      0x10
#define NVME_CC         0x14
#define NVME_CSTS       0x1c
#define NVME_AQA        0x24
#define NVME_ASQ        0x28            /* 64 */
#define NVME_ACQ        0x30            /* 64 */
#define NVME_DOORBELL   0x1000

#define NVME_CAP_MQES(c)    ((unsigned)((c) & 0xffff) + 1)  /* largest queue, entries */
#define NVME_CAP_TO(c)      ((unsigned)((c) >> 24 & 0xff))  /* ready timeout, 500 ms units */
#define NVME_CAP_DSTRD(c)   ((unsigned)((c) >> 32 & 0xf))   /* doorbell stride: 4 << n bytes */
#define NVME_CAP_CSS_NVM(c) (((c) >> 37 & 1) != 0)
#define NVME_CAP_MPSMIN(c)  ((unsigned)((c) >> 48 & 0xf))   /* 4 KiB << n */

#define NVME_CC_EN          (1u << 0)
#define NVME_CC_IOSQES      (6u << 16)  /* 64-byte submission entries */
#define NVME_CC_IOCQES      (4u << 20)  /* 16-byte completion entries */
#define NVME_CSTS_RDY       (1u << 0)
#define NVME_CSTS_CFS       (1u << 1)   /* controller fatal status */

/* Opcodes. */
#define NVME_ADM_CREATE_SQ  0x01
#define NVME_ADM_CREATE_CQ  0x05
#define NVME_ADM_IDENTIFY   0x06
#define NVME_IO_FLUSH       0x00
#define NVME_IO_WRITE       0x01
#define NVME_IO_READ        0x02

#define NVME_CNS_NAMESPACE  0
#define NVME_CNS_CONTROLLER 1

struct nvme_cmd {
	uint32_t cdw0;                  /* opcode 7:0, command id 31:16 */
	uint32_t nsid;
	uint32_t rsvd[2];
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cpl {
	uint32_t result;
	uint32_t rsvd;
	uint16_t sq_head, sq_id;
	uint16_t cid;
	uint16_t status;                /* bit 0 phase, 15:1 status field */
};

_Static_assert(sizeof(struct nvme_cmd) == 64, "NVMe submission entry");
_Static_assert(sizeof(struct nvme_cpl) == 16, "NVMe completion entry");

/* Identify Controller and Namespace fields used (byte offsets). */
#define NVME_IDC_SERIAL     4           /* 20 bytes, space padded */
#define NVME_IDC_MODEL      24          /* 40 bytes */
#define NVME_IDC_MDTS       77          /* max transfer: 2^n minimum pages, 0 none */
#define NVME_IDC_NN         516         /* 32: namespaces */
#define NVME_IDC_VWC        525         /* bit 0: volatile write cache */
#define NVME_IDN_NSZE       0           /* 64: blocks */
#define NVME_IDN_FLBAS      26          /* 3:0 the format in use */
#define NVME_IDN_LBAF       128         /* 4 bytes each: LBADS at bits 23:16 */
