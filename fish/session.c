/* The session: the state and entry points every guestfish module shares
 * (declared in fish.h's "session" section).  It depends on nothing else in
 * fish/: the main program (fish.c) registers its dispatcher here, and
 * guestfish --remote's server (remote.c) its key source, so the modules
 * reach them without calling back into those files. */
#include <stddef.h>
#include <stdio.h>

#include "fish.h"

guestfs_h *g;
int fish_quit;
FILE *fish_input;
int fish_complete_dest_paths = 1;
struct fish_location fish_location = { 0, "*stdin*", 0 };

static const struct fish_dispatcher *dispatcher;
static fish_key_source key_source;

void
fish_set_dispatcher (const struct fish_dispatcher *d)
{
  dispatcher = d;
}

int
fish_dispatch (const char *cmd, size_t argc, char *argv[])
{
  return dispatcher->dispatch (cmd, argc, argv);
}

int
fish_execute (const struct fish_line *l)
{
  return dispatcher->execute (l);
}

void
fish_set_key_source (fish_key_source source)
{
  key_source = source;
}

fish_key_source
fish_get_key_source (void)
{
  return key_source;
}
