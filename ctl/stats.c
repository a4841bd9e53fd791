// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* stub: being written */
extern int fw_stub_stats;
