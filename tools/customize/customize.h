/* The customization engine shared by virt-customize, virt-sysprep and
 * virt-builder (and, later, virt-v2v): the operations of
 * `virt-customize --help`, parsed from a command line (or a
 * --commands-from-file file) into one ordered list, then applied to an
 * inspected, mounted guest in that order.
 *
 * A tool uses it like this:
 *
 *   struct customize cz = { .program = "virt-foo" };
 *   struct option *lo = customize_long_options (tool_long_options);
 *   while ((c = customize_getopt (&cz, argc, argv, short_opts, lo)) != -1) {
 *     ...the tool's own options...
 *   }
 *   ...launch (with guestfs_set_network (g, cz.network)), inspect, mount...
 *   if (customize_apply (g, root, &cz) == -1) ...fail...
 *   customize_free (&cz);
 *
 * The lower-level pieces at the end (messages, running a command in the
 * guest, firstboot scripts, the package manager) are for tools that
 * change guests on their own terms, such as virt-v2v: each works on a
 * launched handle with the guest's filesystems mounted at / and the
 * inspection ROOT, and returns 0/-1 (or NULL) with the message printed. */
#ifndef HATCH_CUSTOMIZE_H
#define HATCH_CUSTOMIZE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include "guestfs.h"

/* One entry per customization option, in `virt-customize --help` order.
 * X (NAME, "option-name", HAS_ARG, "ARG", "help text") */
#define CUSTOMIZE_OPERATIONS(X) \
  X (APPEND_LINE, "append-line", 1, "FILE:LINE", "Add LINE at the end of FILE") \
  X (CHMOD, "chmod", 1, "PERMISSIONS:FILE", "Set the mode of FILE (octal with a leading 0)") \
  X (CHOWN, "chown", 1, "UID.GID:PATH", "Set the numeric owner and group of PATH") \
  X (COMMANDS_FROM_FILE, "commands-from-file", 1, "FILENAME", "Take more of these operations from FILENAME") \
  X (COPY, "copy", 1, "SOURCE:DEST", "Copy SOURCE to DEST inside the guest (recursive)") \
  X (COPY_IN, "copy-in", 1, "LOCALPATH:REMOTEDIR", "Copy a host file or tree into REMOTEDIR") \
  X (DELETE, "delete", 1, "PATH", "Remove PATH (glob allowed; directories recursively)") \
  X (EDIT, "edit", 1, "FILE:EXPR", "Change FILE with a Perl expression run on each line") \
  X (FIRSTBOOT, "firstboot", 1, "SCRIPT", "Have the guest run SCRIPT once at its next boot") \
  X (FIRSTBOOT_COMMAND, "firstboot-command", 1, "'CMD+ARGS'", "Have the guest run CMD once at its next boot") \
  X (FIRSTBOOT_INSTALL, "firstboot-install", 1, "PKG,PKG..", "Have the guest install packages at its next boot") \
  X (HOSTNAME, "hostname", 1, "HOSTNAME", "Set the guest's hostname") \
  X (INSTALL, "install", 1, "PKG,PKG..", "Install packages now with the guest's package manager") \
  X (LINK, "link", 1, "TARGET:LINK[:LINK..]", "Make each LINK a symbolic link to TARGET") \
  X (MKDIR, "mkdir", 1, "DIR", "Make DIR (and its parents)") \
  X (MOVE, "move", 1, "SOURCE:DEST", "Rename SOURCE to DEST inside the guest") \
  X (NO_LOGFILE, "no-logfile", 0, NULL, "Scrub the build log from the guest at the end") \
  X (PASSWORD, "password", 1, "USER:SELECTOR", "Set USER's password (see SELECTOR in the man page)") \
  X (PASSWORD_CRYPTO, "password-crypto", 1, "md5|sha256|sha512", "Hash used for the passwords set") \
  X (ROOT_PASSWORD, "root-password", 1, "SELECTOR", "Set root's password") \
  X (RUN, "run", 1, "SCRIPT", "Run a host script inside the guest now") \
  X (RUN_COMMAND, "run-command", 1, "'CMD+ARGS'", "Run a shell command inside the guest now") \
  X (SCRUB, "scrub", 1, "FILE", "Overwrite FILE's data, then remove it") \
  X (SELINUX_RELABEL, "selinux-relabel", 0, NULL, "Fix the SELinux labels of the guest's files") \
  X (SM_ATTACH, "sm-attach", 1, "SELECTOR", "subscription-manager: attach to a pool") \
  X (SM_CREDENTIALS, "sm-credentials", 1, "SELECTOR", "subscription-manager: user and password") \
  X (SM_REGISTER, "sm-register", 0, NULL, "subscription-manager: register the guest") \
  X (SM_REMOVE, "sm-remove", 0, NULL, "subscription-manager: remove every subscription") \
  X (SM_UNREGISTER, "sm-unregister", 0, NULL, "subscription-manager: unregister the guest") \
  X (SSH_INJECT, "ssh-inject", 1, "USER[:SELECTOR]", "Add an ssh public key for USER") \
  X (TIMEZONE, "timezone", 1, "TIMEZONE", "Set the guest's timezone (e.g. Europe/London)") \
  X (TOUCH, "touch", 1, "FILE", "Create FILE or update its times") \
  X (TRUNCATE, "truncate", 1, "FILE", "Make the existing FILE empty") \
  X (TRUNCATE_RECURSIVE, "truncate-recursive", 1, "PATH", "Make every file under PATH empty") \
  X (UNINSTALL, "uninstall", 1, "PKG,PKG..", "Remove packages with the guest's package manager") \
  X (UPDATE, "update", 0, NULL, "Bring the guest's packages up to date") \
  X (UPLOAD, "upload", 1, "FILE:DEST", "Copy a host file to DEST in the guest") \
  X (WRITE, "write", 1, "FILE:CONTENT", "Make FILE hold CONTENT")

enum customize_op_kind {
#define CUSTOMIZE_ENUM_(name, opt, has_arg, metavar, help) CUSTOMIZE_##name,
  CUSTOMIZE_OPERATIONS (CUSTOMIZE_ENUM_)
#undef CUSTOMIZE_ENUM_
  CUSTOMIZE_NR_KINDS
};

/* getopt codes of the customization options: CUSTOMIZE_OPT_BASE + kind.
 * Tools number their own long-only options below this. */
#define CUSTOMIZE_OPT_BASE 0x400

struct customize_op {
  enum customize_op_kind kind;
  char *arg;                    /* NULL for the options without argument */
};

enum customize_crypto { CUSTOMIZE_CRYPTO_DEFAULT, CUSTOMIZE_CRYPTO_MD5,
                        CUSTOMIZE_CRYPTO_SHA256, CUSTOMIZE_CRYPTO_SHA512 };

struct customize {
  const char *program;          /* for messages: "virt-customize" */
  struct customize_op *ops;     /* the operations, in command-line order */
  size_t nr_ops;
  enum customize_crypto crypto; /* --password-crypto */
  bool no_logfile;              /* --no-logfile */
  bool selinux_relabel;         /* --selinux-relabel */
  char *sm_credentials;         /* --sm-credentials (USER:file:F / USER:password:P) */
  bool quiet;                   /* -q: no progress messages */
  bool colors;                  /* --colors or a tty: bold progress messages */
  bool verbose;                 /* -v: show the output of guest commands */
  bool network;                 /* what the tool gave guestfs_set_network */
  /* virt-builder's default: a random root password unless one was set. */
  const char *default_root_password;
};

/* A getopt_long table: the tool's own TOOL_OPTS (terminated by a zero
 * entry) followed by every customization option.  Never fails (exits on
 * out of memory); free it with free(). */
struct option *customize_long_options (const struct option *tool_opts);

/* Handle getopt's code C with OPTARG; returns 1 if it was a
 * customization option (recorded in CZ), 0 if not, -1 after printing why
 * its value is wrong.  --commands-from-file is read here, at its place. */
int customize_option (struct customize *cz, int c, const char *optarg_);

/* getopt_long over SHORT_OPTS and LONG_OPTS with the customization
 * options handled here by customize_option (a bad value exits with
 * status 1).  Returns the next option the tool handles itself, or -1 at
 * the end. */
int customize_getopt (struct customize *cz, int argc, char *argv[],
                      const char *short_opts, const struct option *long_opts);

/* The --help lines of the customization options. */
void customize_print_help (void);

/* True if some operation needs the appliance network (--install,
 * --update, --uninstall, --run, --run-command, sm-*). */
bool customize_wants_network (const struct customize *cz);

/* Apply every operation, in order, to the guest ROOT (inspected, its
 * filesystems mounted), then the passwords, the SELinux relabel and the
 * log file clean-up.  Also sets a random seed and an empty machine-id,
 * as the guestfs tools do.  Returns 0, or -1 after printing the error
 * (the operations before it have been applied). */
int customize_apply (guestfs_h *g, const char *root, struct customize *cz);

void customize_free (struct customize *cz);

/* ---- lower-level pieces ------------------------------------------- */

/* "[  12.3] MESSAGE" on stdout, seconds since the program started
 * (unless CZ->quiet). */
void customize_message (const struct customize *cz, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

/* Fails with a message naming the guest's and the host's architecture
 * if the appliance cannot run the guest's programs (WHAT: "--run"). */
int customize_check_guest_arch (guestfs_h *g, const char *root,
                                const struct customize *cz, const char *what);

/* Run the shell COMMAND inside the guest (chrooted, with the appliance
 * network and a working /etc/resolv.conf while it runs), its output
 * appended to the build log (/tmp/builder.log); on failure the tail of
 * that output is printed.  DISPLAY names it in messages. */
int customize_run_in_guest (guestfs_h *g, const char *root,
                            struct customize *cz, const char *display,
                            const char *command);

/* Firstboot: add the script CONTENT, under a name made from NAME, to
 * the scripts the guest runs once each, in the order they were added, at
 * its next boot; the runner is installed first if not yet there.
 *   Linux: /usr/lib/virt-sysprep/ (a systemd unit, and SysV init links
 *   where /etc/init.d exists), output in ~root/virt-sysprep-firstboot.log.
 *   Windows: C:\Program Files\Guestfs\Firstboot\ (firstboot.bat, run
 *   by the service wrapper rhsrvany.exe or pvvxsvc.exe copied from
 *   customize_windows_tools_dir(), registered as an automatic service in
 *   the SYSTEM hive's current control set), output in log.txt there;
 *   CONTENT is a batch file (CRLF line ends are added where missing).
 * Other guests, or Windows without a service wrapper: -1 with a message. */
int customize_firstboot_add (guestfs_h *g, const char *root,
                             const struct customize *cz,
                             const char *name, const char *content);
/* The script for the one command line CMD, in the guest's shell
 * (#!/bin/sh on Linux, a batch file on Windows); NULL if out of memory. */
char *customize_firstboot_command_script (guestfs_h *g, const char *root,
                                          const char *cmd);
/* $VIRT_TOOLS_DATA_DIR, else /usr/share/virt-tools: where the Windows
 * service wrapper is looked for. */
const char *customize_windows_tools_dir (void);
/* The host path of the Windows service wrapper (rhsrvany.exe, else
 * pvvxsvc.exe, in customize_windows_tools_dir()), or NULL if neither is
 * there.  Free it. */
char *customize_windows_service_wrapper (void);

/* Windows registry values through the appliance's hivex calls (a hive
 * open for writing on G).  The node at PATH ("A\\B\\C") below NODE, made
 * where missing (-1 on error); a REG_SZ/REG_EXPAND_SZ string value (ASCII
 * VALUE, stored as UTF-16LE); a REG_DWORD. */
#define CUSTOMIZE_REG_SZ 1
#define CUSTOMIZE_REG_EXPAND_SZ 2
#define CUSTOMIZE_REG_DWORD 4
int64_t customize_reg_mkpath (guestfs_h *g, int64_t node, const char *path);
int customize_reg_set_string (guestfs_h *g, int64_t node, const char *key,
                              int type, const char *value);
int customize_reg_set_dword (guestfs_h *g, int64_t node, const char *key,
                             uint32_t v);

/* Package manager actions through the guest's own package manager, as
 * found by inspection (apt, dnf, yum, zypper, pacman, apk, urpmi, ...). */
/* PURGE is UNINSTALL that also removes the packages' configuration files
 * where the package manager keeps them otherwise (apt); virt-v2v's
 * removal of hypervisor tools. */
enum customize_pkg_action { CUSTOMIZE_PKG_INSTALL, CUSTOMIZE_PKG_UNINSTALL,
                            CUSTOMIZE_PKG_UPDATE, CUSTOMIZE_PKG_PURGE };
/* The shell command that does ACTION on PACKAGES (NULL-terminated, may
 * be NULL for UPDATE) for the package manager PM ("apt", "dnf", ...);
 * NULL with a message if PM is unknown.  Package names are quoted. */
char *customize_package_command (const char *program, const char *pm,
                                 enum customize_pkg_action action,
                                 char *const *packages);
/* Run it in the guest now (customize_run_in_guest). */
int customize_packages (guestfs_h *g, const char *root, struct customize *cz,
                        enum customize_pkg_action action, char *const *packages);

/* crypt(3) hash of PASSWORD with a fresh random salt. */
char *customize_crypt (const char *password, enum customize_crypto crypto);

#endif
