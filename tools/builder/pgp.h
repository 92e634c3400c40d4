/* GnuPG for virt-builder: checking a clearsigned index against the
 * repository's key or fingerprint, and (virt-builder-repository)
 * signing one.  GPG is the gpg command as the user gave it with --gpg
 * ("gpg", or "gpg --homedir /x": split on spaces). */
#ifndef HATCH_BUILDER_PGP_H
#define HATCH_BUILDER_PGP_H

#include <stdbool.h>

/* Check that INFILE is a message signed by the key with FINGERPRINT
 * (spaces and case do not matter; NULL: any key of KEYFILE), and write
 * the text that was signed to OUTFILE.  With KEYFILE the key is
 * imported into a throw-away GnuPG home; without, the user's keyring
 * is used.  Returns 0, or -1 after printing "PROGRAM: WHAT: why". */
int builder_pgp_verify (const char *program, const char *gpg, bool verbose,
                        const char *keyfile, const char *fingerprint,
                        const char *what, const char *infile, const char *outfile);

/* gpg --clearsign INFILE into OUTFILE with KEYID (NULL: the default
 * key).  Returns 0, or -1 after printing why. */
int builder_pgp_clearsign (const char *program, const char *gpg, const char *keyid,
                           const char *infile, const char *outfile);

/* FPR with spaces removed and letters upper-cased (malloc'd). */
char *builder_pgp_normalize (const char *fpr);

#endif
