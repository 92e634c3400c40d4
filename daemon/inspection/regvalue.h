/* Registry value data to C values (regvalue.c), for Windows inspection
 * (windows.c).  libhivex hands back a value's type and raw bytes
 * (hivex_value_value); the bytes come from the guest, so their decoding
 * is ours, apart from any hive, and fuzzed on its own
 * (tests/fuzz/fuzz-registry.c). */
#ifndef HATCH_DAEMON_INSPECT_REGVALUE_H
#define HATCH_DAEMON_INSPECT_REGVALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Registry value types (winnt.h numbering, as hivex's hive_type). */
enum {
  REGV_SZ = 1, REGV_EXPAND_SZ = 2, REGV_BINARY = 3, REGV_DWORD = 4,
  REGV_DWORD_BIG_ENDIAN = 5, REGV_LINK = 6,
};

/* The little-endian 32-bit number at p (4 bytes). */
uint32_t regvalue_le32 (const void *p);

/* A string value (REG_SZ, REG_EXPAND_SZ, REG_LINK: UTF-16LE) as UTF-8:
 * up to the first U+0000 or the end of the data (an odd last byte is
 * ignored), each unpaired surrogate as U+FFFD.  NULL with errno EINVAL
 * for another type, ENOMEM when out of memory. */
char *regvalue_string (int type, const void *data, size_t len);

/* A REG_DWORD (little-endian) or REG_DWORD_BIG_ENDIAN of exactly four
 * bytes into *r; false for another type or length. */
bool regvalue_dword (int type, const void *data, size_t len, uint32_t *r);

/* One MountedDevices value: where a drive letter's volume is. */
struct regvalue_mount {
  bool gpt;
  uint32_t signature;           /* MBR disk signature */
  uint64_t offset;              /* partition start in bytes */
  char guid[37];                /* GPT partition GUID, lower case */
};

/* Decode a MountedDevices REG_BINARY: 12 bytes (MBR signature, start
 * offset) or 24 bytes "DMIO:ID:" + GPT partition GUID.  false for
 * anything else (removable media, volume GUID paths). */
bool regvalue_mount (int type, const void *data, size_t len,
                     struct regvalue_mount *m);

#endif
