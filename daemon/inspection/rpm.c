/* The rpm package database, read without librpm.
 *
 * rpm keeps one "header" blob per installed package, in one of three
 * containers depending on the rpm version that wrote it:
 *   - sqlite      /var/lib/rpm/rpmdb.sqlite   (Fedora 33+, RHEL 9+)
 *   - ndb         /var/lib/rpm/Packages.db    (openSUSE, SLES 15 SP3+)
 *   - Berkeley DB /var/lib/rpm/Packages       (RHEL/CentOS <= 8, older SUSE)
 * The blob itself has the same layout in all three: a big-endian index of
 * (tag, type, offset, count) entries followed by a data store.
 *
 * Everything here reads hostile input: every length and offset is checked
 * against the bytes actually read, every loop is bounded by the file size,
 * and a container or blob that does not make sense is skipped (fewer
 * packages), never a crash or an endless loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_SQLITE3
#include <sqlite3.h>
#endif

#include "daemon.h"
#include "inspect.h"

/* Limits: a real header is a few KiB to a few hundred KiB. */
#define RPM_MAX_BLOB (64 * 1024 * 1024)
#define RPM_MAX_INDEX 0x10000             /* index entries per header */
#define RPM_MAX_PACKAGES 1000000

/* ---- the header blob ---- */

enum {
  TAG_NAME = 1000, TAG_VERSION = 1001, TAG_RELEASE = 1002, TAG_EPOCH = 1003,
  TAG_SUMMARY = 1004, TAG_DESCRIPTION = 1005, TAG_URL = 1020, TAG_ARCH = 1022,
};
enum { TYPE_INT32 = 4, TYPE_STRING = 6, TYPE_STRING_ARRAY = 8, TYPE_I18NSTRING = 9 };

static uint32_t
be32 (const unsigned char *p)
{
  return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static uint32_t
le32 (const unsigned char *p)
{
  return ((uint32_t) p[3] << 24) | ((uint32_t) p[2] << 16) | ((uint32_t) p[1] << 8) | p[0];
}

static uint16_t
le16 (const unsigned char *p)
{
  return (uint16_t) (p[0] | (p[1] << 8));
}

/* The string at offset off of the data store, which must end inside it. */
static char *
store_string (const unsigned char *store, size_t dl, uint32_t off)
{
  if (off >= dl)
    return NULL;
  const unsigned char *end = memchr (store + off, '\0', dl - off);
  if (end == NULL)
    return NULL;
  return strdup ((const char *) store + off);
}

void
inspect_rpm_free_pkg (struct inspect_rpm_pkg *p)
{
  free (p->name); free (p->version); free (p->release); free (p->arch);
  free (p->url); free (p->summary); free (p->description);
  memset (p, 0, sizeof *p);
}

int
inspect_rpm_parse_header (const unsigned char *blob, size_t len,
                          struct inspect_rpm_pkg *p)
{
  memset (p, 0, sizeof *p);
  if (len < 8)
    return -1;
  uint32_t il = be32 (blob), dl = be32 (blob + 4);
  if (il == 0 || il > RPM_MAX_INDEX || dl > RPM_MAX_BLOB ||
      (uint64_t) 8 + (uint64_t) il * 16 + dl > len)
    return -1;
  const unsigned char *index = blob + 8, *store = index + (size_t) il * 16;
  for (uint32_t i = 0; i < il; ++i) {
    const unsigned char *e = index + (size_t) i * 16;
    uint32_t tag = be32 (e), type = be32 (e + 4), off = be32 (e + 8), count = be32 (e + 12);
    char **field = NULL;
    switch (tag) {
    case TAG_NAME: field = &p->name; break;
    case TAG_VERSION: field = &p->version; break;
    case TAG_RELEASE: field = &p->release; break;
    case TAG_SUMMARY: field = &p->summary; break;
    case TAG_DESCRIPTION: field = &p->description; break;
    case TAG_URL: field = &p->url; break;
    case TAG_ARCH: field = &p->arch; break;
    case TAG_EPOCH:
      if (type == TYPE_INT32 && count >= 1 && off <= dl && dl - off >= 4) {
        uint32_t v = be32 (store + off);
        p->epoch = v <= INT32_MAX ? (int) v : 0;
      }
      continue;
    default:
      continue;
    }
    /* I18N strings: the first one is the untranslated ("C") text. */
    if ((type != TYPE_STRING && type != TYPE_I18NSTRING && type != TYPE_STRING_ARRAY) ||
        count == 0 || *field != NULL)
      continue;
    *field = store_string (store, dl, off);
  }
  if (p->name == NULL || p->name[0] == '\0') {
    inspect_rpm_free_pkg (p);
    return -1;
  }
  return 0;
}

/* Parse one blob and hand it to the caller; an unparsable blob is skipped. */
static int
emit (const unsigned char *blob, size_t len, inspect_rpm_cb cb, void *opaque,
      size_t *count)
{
  struct inspect_rpm_pkg p;
  if (inspect_rpm_parse_header (blob, len, &p) == -1)
    return 0;
  if (++*count > RPM_MAX_PACKAGES) {
    inspect_rpm_free_pkg (&p);
    return 0;
  }
  return cb (opaque, &p);       /* cb owns p's strings */
}

static int
open_db (const char *path, struct stat *st)
{
  int fd = sysroot_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
  if (fd == -1)
    return -1;
  if (fstat (fd, st) == -1 || !S_ISREG (st->st_mode)) {
    close (fd);
    return -1;
  }
  return fd;
}

static bool
read_at (int fd, void *buf, size_t len, uint64_t off)
{
  size_t done = 0;
  while (done < len) {
    ssize_t r = pread (fd, (char *) buf + done, len - done, (off_t) (off + done));
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    done += (size_t) r;
  }
  return true;
}

/* ---- sqlite: table Packages (hnum, blob) ---- */

#ifdef HAVE_SQLITE3
static int
list_sqlite (int fd, inspect_rpm_cb cb, void *opaque, size_t *count)
{
  /* immutable=1: no locks, no journal or WAL files are created, which a
   * read-only guest filesystem could not hold anyway.  rpm checkpoints the
   * WAL when it closes the database, so the main file is complete for any
   * cleanly shut down guest. */
  CLEANUP_FREE char *uri = NULL;
  if (asprintf (&uri, "file:/proc/self/fd/%d?immutable=1", fd) == -1)
    return -1;
  sqlite3 *db = NULL;
  if (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
    if (verbose)
      fprintf (stderr, "rpm sqlite: %s\n", db ? sqlite3_errmsg (db) : "cannot open");
    sqlite3_close (db);
    return 0;
  }
  sqlite3_stmt *st = NULL;
  int r = 0;
  if (sqlite3_prepare_v2 (db, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL) == SQLITE_OK) {
    while (r == 0 && sqlite3_step (st) == SQLITE_ROW) {
      const void *b = sqlite3_column_blob (st, 0);
      int n = sqlite3_column_bytes (st, 0);
      if (b && n > 0)
        r = emit (b, (size_t) n, cb, opaque, count);
    }
  }
  else if (verbose)
    fprintf (stderr, "rpm sqlite: %s\n", sqlite3_errmsg (db));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return r;
}
#endif

/* ---- ndb: Packages.db ----
 * Little-endian.  A 4096-byte-page slot area: the first 32 bytes hold the
 * file header ("RpmP", version 0, generation, number of slot pages, next
 * package index), then 16-byte slots ("Slot", package index, block offset,
 * block count).  A blob lives at block offset * 16: "BlbS", package index,
 * generation, length, the header, padding, then a trailer (adler32,
 * length, "BlbE") in the last 12 bytes of its blocks. */

#define NDB_PAGE 4096
#define NDB_BLOCK 16
#define NDB_MAGIC 0x506d7052u          /* "RpmP" */
#define NDB_SLOT_MAGIC 0x746f6c53u     /* "Slot" */
#define NDB_BLOB_MAGIC 0x53626c42u     /* "BlbS" */
#define NDB_TAIL_MAGIC 0x45626c42u     /* "BlbE" */

static int
list_ndb (int fd, uint64_t size, inspect_rpm_cb cb, void *opaque, size_t *count)
{
  unsigned char h[32];
  if (!read_at (fd, h, sizeof h, 0) || le32 (h) != NDB_MAGIC || le32 (h + 4) != 0)
    return 0;
  uint64_t slotpages = le32 (h + 12);
  if (slotpages == 0 || slotpages * NDB_PAGE > size)
    return 0;
  size_t area = (size_t) (slotpages * NDB_PAGE);
  CLEANUP_FREE unsigned char *slots = malloc (area);
  if (slots == NULL)
    return -1;
  if (!read_at (fd, slots, area, 0))
    return 0;
  int r = 0;
  for (size_t off = 32; r == 0 && off + 16 <= area; off += 16) {
    const unsigned char *s = slots + off;
    uint32_t pkgidx = le32 (s + 4);
    uint64_t blkoff = le32 (s + 8), blkcnt = le32 (s + 12);
    if (le32 (s) != NDB_SLOT_MAGIC || pkgidx == 0)
      continue;
    uint64_t start = blkoff * NDB_BLOCK, bytes = blkcnt * NDB_BLOCK;
    if (start < area || bytes < 16 + 12 || bytes > RPM_MAX_BLOB + 64 ||
        start > size || bytes > size - start)
      continue;
    CLEANUP_FREE unsigned char *b = malloc ((size_t) bytes);
    if (b == NULL)
      return -1;
    if (!read_at (fd, b, (size_t) bytes, start))
      continue;
    uint32_t len = le32 (b + 12);
    const unsigned char *tail = b + bytes - 12;
    if (le32 (b) != NDB_BLOB_MAGIC || le32 (b + 4) != pkgidx ||
        (uint64_t) len + 16 + 12 > bytes ||
        le32 (tail + 8) != NDB_TAIL_MAGIC || le32 (tail + 4) != len)
      continue;
    r = emit (b + 16, len, cb, opaque, count);
  }
  return r;
}

/* ---- Berkeley DB hash: Packages ----
 * Page 0 is the metadata page (magic 0x061561 at 12, page size at 20, last
 * page number at 32).  Every page starts with a 26-byte header: page
 * number at 8, next page at 16, entry count at 20, high free offset at 22,
 * type at 25.  Hash pages (types 2 and 13) hold key/data pairs through an
 * array of 16-bit item offsets after the header; an item is either stored
 * in place (type 1, running to the previous item's start) or off-page
 * (type 3: page number at 4, total length at 8) on a chain of overflow
 * pages (type 7) whose header's "high free offset" is the bytes used.
 * We visit every hash page rather than the buckets: no bucket arithmetic
 * to get wrong, and each data item is either a header or skipped.  The
 * file's byte order is told by the magic. */

#define BDB_HASH_MAGIC 0x061561u
#define BDB_HDR 26
enum { P_HASH_UNSORTED = 2, P_OVERFLOW = 7, P_HASHMETA = 8, P_HASH = 13 };
enum { H_KEYDATA = 1, H_OFFPAGE = 3 };

struct bdb {
  int fd;
  bool swap;
  uint32_t pagesize, npages;
  unsigned char *page;          /* scratch for the hash page */
  unsigned char *ovpage;        /* scratch for overflow pages */
};

static uint32_t
bdb32 (const struct bdb *db, const unsigned char *p)
{
  return db->swap ? be32 (p) : le32 (p);
}

static uint16_t
bdb16 (const struct bdb *db, const unsigned char *p)
{
  return db->swap ? (uint16_t) ((p[0] << 8) | p[1]) : le16 (p);
}

static bool
bdb_page (struct bdb *db, uint32_t pgno, unsigned char *buf)
{
  return pgno < db->npages &&
    read_at (db->fd, buf, db->pagesize, (uint64_t) pgno * db->pagesize);
}

/* Gather an off-page item of tlen bytes starting at page pgno. */
static unsigned char *
bdb_overflow (struct bdb *db, uint32_t pgno, uint32_t tlen)
{
  if (tlen == 0 || tlen > RPM_MAX_BLOB)
    return NULL;
  unsigned char *r = malloc (tlen);
  if (r == NULL)
    return NULL;
  uint32_t got = 0;
  for (uint32_t steps = 0; got < tlen && steps < db->npages; ++steps) {
    if (pgno == 0 || !bdb_page (db, pgno, db->ovpage) || db->ovpage[25] != P_OVERFLOW)
      break;
    uint32_t used = bdb16 (db, db->ovpage + 22);
    if (used > db->pagesize - BDB_HDR || used > tlen - got)
      break;
    memcpy (r + got, db->ovpage + BDB_HDR, used);
    got += used;
    pgno = bdb32 (db, db->ovpage + 16);
  }
  if (got != tlen) {
    free (r);
    return NULL;
  }
  return r;
}

static int
list_bdb (int fd, uint64_t size, inspect_rpm_cb cb, void *opaque, size_t *count)
{
  unsigned char meta[64];
  if (!read_at (fd, meta, sizeof meta, 0))
    return 0;
  struct bdb db = { .fd = fd };
  if (le32 (meta + 12) == BDB_HASH_MAGIC)
    db.swap = false;
  else if (be32 (meta + 12) == BDB_HASH_MAGIC)
    db.swap = true;
  else
    return 0;
  db.pagesize = bdb32 (&db, meta + 20);
  if (meta[25] != P_HASHMETA || db.pagesize < 512 || db.pagesize > 65536 ||
      (db.pagesize & (db.pagesize - 1)) != 0 || meta[24] != 0 /* encrypted */)
    return 0;
  uint64_t np = size / db.pagesize;
  db.npages = np > UINT32_MAX ? UINT32_MAX : (uint32_t) np;
  db.page = malloc (db.pagesize);
  db.ovpage = malloc (db.pagesize);
  int r = 0;
  if (db.page == NULL || db.ovpage == NULL)
    r = -1;
  for (uint32_t pg = 1; r == 0 && pg < db.npages; ++pg) {
    if (!bdb_page (&db, pg, db.page))
      break;
    unsigned type = db.page[25];
    if (type != P_HASH && type != P_HASH_UNSORTED)
      continue;
    uint32_t n = bdb16 (&db, db.page + 20);
    if ((uint64_t) BDB_HDR + (uint64_t) n * 2 > db.pagesize)
      continue;
    /* Items are laid out from the end of the page downwards: item i ends
     * where item i-1 starts (item 0 ends at the page end). */
    uint32_t prev = db.pagesize;
    for (uint32_t i = 0; r == 0 && i < n; ++i) {
      uint32_t off = bdb16 (&db, db.page + BDB_HDR + 2 * i);
      if (off < BDB_HDR + 2 * n || off >= prev)
        break;                  /* garbled page: skip the rest of it */
      uint32_t end = prev;
      prev = off;
      if (i % 2 == 0)             /* keys: the package instance numbers */
        continue;
      const unsigned char *item = db.page + off;
      if (item[0] == H_KEYDATA)
        r = emit (item + 1, end - off - 1, cb, opaque, count);
      else if (item[0] == H_OFFPAGE && end - off >= 12) {
        unsigned char *b = bdb_overflow (&db, bdb32 (&db, item + 4), bdb32 (&db, item + 8));
        if (b) {
          r = emit (b, bdb32 (&db, item + 8), cb, opaque, count);
          free (b);
        }
      }
    }
  }
  free (db.page);
  free (db.ovpage);
  return r;
}

/* ---- entry point ---- */

int
inspect_rpm_list (inspect_rpm_cb cb, void *opaque)
{
  size_t count = 0;
  struct stat st;
  int fd, r;

#ifdef HAVE_SQLITE3
  static const char *const sqlite_paths[] = {
    "/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite",
  };
  for (size_t i = 0; i < sizeof sqlite_paths / sizeof sqlite_paths[0]; ++i)
    if ((fd = open_db (sqlite_paths[i], &st)) >= 0) {
      r = list_sqlite (fd, cb, opaque, &count);
      close (fd);
      return r;
    }
#endif
  static const char *const ndb_paths[] = {
    "/var/lib/rpm/Packages.db", "/usr/lib/sysimage/rpm/Packages.db",
  };
  for (size_t i = 0; i < sizeof ndb_paths / sizeof ndb_paths[0]; ++i)
    if ((fd = open_db (ndb_paths[i], &st)) >= 0) {
      r = list_ndb (fd, (uint64_t) st.st_size, cb, opaque, &count);
      close (fd);
      return r;
    }
  static const char *const bdb_paths[] = {
    "/var/lib/rpm/Packages", "/usr/lib/sysimage/rpm/Packages",
  };
  for (size_t i = 0; i < sizeof bdb_paths / sizeof bdb_paths[0]; ++i)
    if ((fd = open_db (bdb_paths[i], &st)) >= 0) {
      r = list_bdb (fd, (uint64_t) st.st_size, cb, opaque, &count);
      close (fd);
      return r;
    }
  return 0;
}
