/* A drive added read-only is never written: make an image with a
 * filesystem, remember its sha256, then add it with add_drive_ro and with
 * add_drive_opts readonly:true, mount it and try every kind of write
 * (some may "succeed" into the throwaway overlay).  The image's bytes must
 * be unchanged afterwards.  */
#include "tests.h"

#define IMG_SIZE (64 * 1024 * 1024)

static const char *img;

static int
make_image (void)
{
  int fd = open (img, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate (fd, IMG_SIZE) == -1 || close (fd) == -1) {
    perror (img);
    return -1;
  }
  guestfs_h *g = create_quiet ();
  int ok_ = 0;
  if (guestfs_add_drive_opts (g, img, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1) == -1 ||
      guestfs_launch (g) == -1 ||
      guestfs_part_disk (g, "/dev/sda", "mbr") == -1 ||
      guestfs_mkfs (g, "ext4", "/dev/sda1") == -1 ||
      guestfs_mount (g, "/dev/sda1", "/") == -1 ||
      guestfs_write (g, "/hello", "hello, world\n", 13) == -1 ||
      guestfs_mkdir (g, "/dir") == -1 ||
      guestfs_write (g, "/dir/file", "x", 1) == -1 ||
      guestfs_shutdown (g) == -1) {
    diag ("creating the image failed: %s", errmsg (g));
    ok_ = -1;
  }
  guestfs_close (g);
  return ok_;
}

/* Try to write in every way; report what "succeeded". */
static void
attempt_writes (guestfs_h *g, const char *how)
{
  char done[1024] = "";
#define TRY(name, call) \
  do { if ((call) == 0) { strcat (done, " " name); } } while (0)
  TRY ("write", guestfs_write (g, "/hello", "changed", 7));
  TRY ("write-new", guestfs_write (g, "/new", "new", 3));
  TRY ("mkdir", guestfs_mkdir (g, "/newdir"));
  TRY ("rm", guestfs_rm (g, "/dir/file"));
  TRY ("touch", guestfs_touch (g, "/hello"));
  TRY ("sync", guestfs_sync (g));
  TRY ("umount-all", guestfs_umount_all (g));
  TRY ("mkfs", guestfs_mkfs (g, "ext2", "/dev/sda1"));
  TRY ("wipefs", guestfs_wipefs (g, "/dev/sda1"));
  TRY ("part-del", guestfs_part_del (g, "/dev/sda", 1));
  TRY ("zero", guestfs_zero (g, "/dev/sda"));
  TRY ("part-disk", guestfs_part_disk (g, "/dev/sda", "gpt"));
  TRY ("sync", guestfs_sync (g));
#undef TRY
  diag ("%s: writes accepted (into the overlay):%s", how, *done ? done : " none");
}

static void
check_ro (const char *how, const char *sum0)
{
  guestfs_h *g = create_quiet ();
  int r;
  if (strcmp (how, "add_drive_ro") == 0)
    r = guestfs_add_drive_ro (g, img);
  else
    r = guestfs_add_drive_opts (g, img, GUESTFS_ADD_DRIVE_OPTS_READONLY, 1,
                                GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
  if (!ok (r == 0, "%s: add the image", how))
    diag ("%s", errmsg (g));
  r = guestfs_launch (g);
  if (!ok (r == 0, "%s: launch", how)) {
    diag ("%s", errmsg (g));
    guestfs_close (g);
    return;
  }
  /* The filesystem is readable (mount via the overlay, or read-only). */
  r = guestfs_mount (g, "/dev/sda1", "/");
  if (r == -1) {
    diag ("%s: mount failed (%s); trying mount_ro", how, errmsg (g));
    r = guestfs_mount_ro (g, "/dev/sda1", "/");
  }
  char *c = r == 0 ? guestfs_cat (g, "/hello") : NULL;
  if (!ok (c && strcmp (c, "hello, world\n") == 0, "%s: mount and read /hello", how))
    diag ("%s", errmsg (g));
  free (c);

  attempt_writes (g, how);

  /* After deliberately broken writes the shutdown's autosync may fail;
   * that is fine, only the image bytes matter. */
  if (guestfs_shutdown (g) == -1)
    diag ("%s: shutdown: %s", how, errmsg (g));
  guestfs_close (g);

  char *sum = sha256_file (img);
  if (!ok (sum && strcmp (sum, sum0) == 0, "%s: image bytes unchanged (sha256)", how))
    diag ("before %s, after %s", sum0, sum ? sum : "?");
  free (sum);
}

int
main (void)
{
  char *dir = make_tmpdir ("readonly");
  char *path;
  if (asprintf (&path, "%s/disk.img", dir) == -1) return 1;
  img = path;

  if (!ok (make_image () == 0, "create a 64 MiB image with ext4 and files")) {
    cleanup_dir (dir);
    return tap_done ();
  }
  char *sum0 = sha256_file (img);
  ok (sum0 != NULL, "sha256 of the image: %s", sum0 ? sum0 : "?");
  if (!sum0) return tap_done ();

  /* Make the file read-only as well: a read-only add must not need to
   * open it for writing (root ignores the mode, other users do not). */
  chmod (img, 0444);

  check_ro ("add_drive_ro", sum0);
  check_ro ("add_drive_opts readonly:true", sum0);

  struct stat st;
  ok (stat (img, &st) == 0 && st.st_size == IMG_SIZE, "image size unchanged");

  free (sum0);
  cleanup_dir (dir);
  free (dir);
  free (path);
  return tap_done ();
}
