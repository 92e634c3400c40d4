/* Hatch guestfish: the handle's setup (shared by startup and 'reopen'),
 * the 'event', 'list-events' and 'delete-event' commands, progress
 * bars fed by GUESTFS_EVENT_PROGRESS, and error messages (the library's
 * and guestfish's own, with the script location).  */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fish.h"

int fish_progress_bars;

/* ---- progress bars ---------------------------------------------------- */

/* One bar at a time: the call in progress.  */
/* Like the real tool, a bar appears only once the command has been
 * running this long: quick commands never draw one.  */
#define BAR_DELAY 2.0

static double command_start;  /* set by fish_progress_begin */

static struct {
  int active;                 /* a bar line is on the screen */
  uint64_t serial;            /* the call it belongs to */
  unsigned spins;
} bar;

static double
now_s (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int
terminal_width (void)
{
  struct winsize ws;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 30)
    return ws.ws_col;
  const char *c = getenv ("COLUMNS");
  if (c && atoi (c) >= 30)
    return atoi (c);
  return 80;
}

/* "/ 42% [#########-------------] 00:12" -- spinner, percentage, bar,
 * estimated time left (mm:ss, "--:--" while unknown).  The finished
 * bar drops the spinner and ends the line.  */
static void
draw_bar (uint64_t pos, uint64_t total)
{
  static const char spinner[] = "/-\\|";
  double frac = total ? (double) pos / (double) total : 0;
  if (frac > 1)
    frac = 1;
  int done = pos >= total;
  int width = terminal_width () - 18;   /* room for the text around */
  if (width > 100)
    width = 100;
  int filled = (int) (frac * width);

  char eta[48] = "--:--";
  double t = now_s () - command_start;
  if (!done && frac > 0.01 && t > 0.5) {
    long left = (long) (t / frac - t + 0.5);
    if (left < 6000)
      snprintf (eta, sizeof eta, "%02ld:%02ld", left / 60, left % 60);
  }

  printf ("\r%c %3d%% [", done ? ' ' : spinner[bar.spins++ % 4],
          (int) (frac * 100));
  for (int i = 0; i < width; ++i)
    putchar (i < filled ? '#' : '-');
  printf ("] %s", done ? "     " : eta);
  if (done)
    putchar ('\n');
  fflush (stdout);
}

static void
progress_callback (guestfs_h *h, void *opaque, uint64_t event,
                   int event_handle, int flags, const char *buf,
                   size_t buf_len, const uint64_t *array, size_t array_len)
{
  (void) h; (void) opaque; (void) event; (void) event_handle; (void) flags;
  (void) buf; (void) buf_len;
  if (!fish_progress_bars || array_len < 4)
    return;
  uint64_t serial = array[1], pos = array[2], total = array[3];

  if (bar.active && bar.serial != serial)
    putchar ('\n');            /* a new call: leave the old bar behind */
  if (!bar.active || bar.serial != serial) {
    /* A call that reports completion in its first message, or a command
     * that has not yet run for BAR_DELAY seconds, gets no bar (yet).  */
    if (pos >= total || now_s () - command_start < BAR_DELAY) {
      bar.active = 0;
      return;
    }
    bar.active = 1;
    bar.serial = serial;
    bar.spins = 0;
  }
  draw_bar (pos, total);
  if (pos >= total)
    bar.active = 0;
}

void
fish_progress_begin (void)
{
  command_start = now_s ();
}

/* Called after each command: a bar that did not reach 100% (the call
 * failed or was cut short) must not share its line with what follows. */
void
fish_progress_end (void)
{
  if (bar.active) {
    putchar ('\n');
    fflush (stdout);
    bar.active = 0;
  }
}

/* ---- user event handlers ---------------------------------------------- */

struct handler {
  char *name;
  int handle;
  uint64_t events;
  char *script;
  struct handler *next;
};
static struct handler *handlers;

static void
event_callback (guestfs_h *h, void *opaque, uint64_t event,
                int event_handle, int flags, const char *buf,
                size_t buf_len, const uint64_t *array, size_t array_len)
{
  (void) h; (void) event_handle; (void) flags;
  const struct handler *hd = opaque;
  char *name = guestfs_event_to_string (event);

  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid == -1) {
    perror ("fork");
    free (name);
    return;
  }
  if (pid == 0) {
    /* $SHELL -c SCRIPT "" [BUF] ARRAY...: the script sees the message
     * (if any) and then the numbers as $1, $2, ...; $EVENT names the
     * event.  */
    const char *shell = getenv ("SHELL");
    if (shell == NULL || *shell == '\0')
      shell = "/bin/sh";
    char **argv = calloc (array_len + 6, sizeof *argv);
    if (argv == NULL)
      _exit (127);
    size_t i = 0;
    argv[i++] = (char *) shell;
    argv[i++] = (char *) "-c";
    argv[i++] = hd->script;
    argv[i++] = (char *) "";
    if (buf != NULL && buf_len > 0)
      argv[i++] = strndup (buf, buf_len);
    for (size_t j = 0; j < array_len; ++j)
      if (asprintf (&argv[i++], "%" PRIu64, array[j]) == -1)
        _exit (127);
    argv[i] = NULL;
    if (name)
      setenv ("EVENT", name, 1);
    execvp (shell, argv);
    perror (shell);
    _exit (127);
  }
  free (name);
  int status;
  while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
    ;
}

/* "close,trace" or "*" -> bitmask; 0 with a message on a bad name.  */
static uint64_t
parse_eventset (const char *s)
{
  if (strcmp (s, "*") == 0)
    return GUESTFS_EVENT_ALL;
  uint64_t r = 0;
  char *copy = strdup (s), *save = NULL;
  if (copy == NULL) {
    perror ("strdup");
    return 0;
  }
  for (char *w = strtok_r (copy, ",", &save); w;
       w = strtok_r (NULL, ",", &save)) {
    uint64_t bit = 0;
    for (uint64_t b = 1; b <= GUESTFS_EVENT_ALL; b <<= 1) {
      char *n = guestfs_event_to_string (b);
      int eq = n && strcmp (n, w) == 0;
      free (n);
      if (eq) {
        bit = b;
        break;
      }
    }
    if (bit == 0) {
      fprintf (stderr, "unknown event name: %s\n", w);
      free (copy);
      return 0;
    }
    r |= bit;
  }
  free (copy);
  if (r == 0)
    fprintf (stderr, "unknown event name: %s\n", s);
  return r;
}

int
fish_run_event (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 3) {
    fish_usage_error (cmd, "event name eventset \"shell script ...\"");
    return -1;
  }
  uint64_t events = parse_eventset (argv[1]);
  if (events == 0)
    return -1;
  struct handler *hd = calloc (1, sizeof *hd);
  if (hd == NULL || (hd->name = strdup (argv[0])) == NULL ||
      (hd->script = strdup (argv[2])) == NULL) {
    perror ("malloc");
    if (hd) {
      free (hd->name);
      free (hd);
    }
    return -1;
  }
  hd->events = events;
  hd->handle = guestfs_set_event_callback (g, event_callback, events, 0, hd);
  if (hd->handle == -1) {
    free (hd->name);
    free (hd->script);
    free (hd);
    return -1;
  }
  hd->next = handlers;
  handlers = hd;
  return 0;
}

int
fish_run_delete_event (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 1) {
    fish_usage_error (cmd, "delete-event name");
    return -1;
  }
  int found = 0;
  for (struct handler **pp = &handlers; *pp;) {
    struct handler *hd = *pp;
    if (strcmp (hd->name, argv[0]) == 0) {
      guestfs_delete_event_callback (g, hd->handle);
      *pp = hd->next;
      free (hd->name);
      free (hd->script);
      free (hd);
      found = 1;
    }
    else
      pp = &hd->next;
  }
  if (!found) {
    fprintf (stderr, "%s: %s: no such event handler\n", cmd, argv[0]);
    return -1;
  }
  return 0;
}

static int
compare_handlers (const void *a, const void *b)
{
  const struct handler *x = *(const struct handler *const *) a;
  const struct handler *y = *(const struct handler *const *) b;
  int c = strcmp (x->name, y->name);
  return c ? c : (x->handle > y->handle) - (x->handle < y->handle);
}

int
fish_run_list_events (const char *cmd, size_t argc, char *argv[])
{
  (void) argv;
  if (argc != 0) {
    fish_usage_error (cmd, "list-events");
    return -1;
  }
  size_t n = 0;
  for (struct handler *hd = handlers; hd; hd = hd->next)
    n++;
  if (n == 0)
    return 0;
  struct handler **v = malloc (n * sizeof *v);
  if (v == NULL) {
    perror ("malloc");
    return -1;
  }
  n = 0;
  for (struct handler *hd = handlers; hd; hd = hd->next)
    v[n++] = hd;
  qsort (v, n, sizeof *v, compare_handlers);
  for (size_t i = 0; i < n; ++i) {
    char *ev = guestfs_event_to_string (v[i]->events);
    printf ("\"%s\" (%d): %s: %s\n", v[i]->name, v[i]->handle,
            ev ? ev : "?", v[i]->script);
    free (ev);
  }
  free (v);
  return 0;
}

/* The handle's guestfish-side setup.  The progress callback is only
 * registered when bars are wanted, so that the handles 'event' reports
 * are numbered from 0 otherwise.  The user's event handlers belong to
 * one handle and are dropped when it is closed ('reopen').  */
void
fish_enable_progress_bars (guestfs_h *h)
{
  guestfs_set_event_callback (h, progress_callback, GUESTFS_EVENT_PROGRESS,
                              0, NULL);
}

void
fish_setup_handle (guestfs_h *h)
{
  guestfs_set_error_handler (h, fish_error_handler, NULL);
  if (fish_progress_bars)
    fish_enable_progress_bars (h);
}

void
fish_forget_event_handlers (void)
{
  while (handlers) {
    struct handler *hd = handlers;
    handlers = hd->next;
    free (hd->name);
    free (hd->script);
    free (hd);
  }
}

/* An error of guestfish's own, reported like the library's errors. */
void
fish_error (const char *fs, ...)
{
  va_list ap;
  fish_progress_end ();
  if (fish_location.show)
    fprintf (stderr, "%s:%d: ", fish_location.file, fish_location.line);
  fprintf (stderr, "libguestfs: error: ");
  va_start (ap, fs);
  vfprintf (stderr, fs, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

void
fish_error_handler (guestfs_h *h, void *opaque, const char *msg)
{
  (void) h;
  (void) opaque;
  fish_progress_end ();
  if (fish_location.show)
    fprintf (stderr, "%s:%d: ", fish_location.file, fish_location.line);
  fprintf (stderr, "libguestfs: error: %s\n", msg);
}
