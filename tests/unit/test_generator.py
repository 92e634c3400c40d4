#!/usr/bin/env python3
"""Unit tests of the generator (generator/) and the API table (api/).

    python3 tests/unit/test_generator.py

Prints TAP ("ok N - name", "not ok N - name"), exit status 0 when every
test passed.  Needs gcc for the compile checks; /usr/include/guestfs.h
(Debian's libguestfs-dev) for the prototype comparison, which is skipped
when absent."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, TOP)

from generator import load, gen_tests  # noqa: E402
from generator import main as gen_main  # noqa: E402

API = os.path.join(TOP, "api")
REFERENCE_H = "/usr/include/guestfs.h"

# Calls, optional arguments and deprecations that upstream libguestfs
# added after the 1.48 reference header (issue 19: Hatch declares the
# newest API too).  The newest upstream names are in UPSTREAM_NAMES.
NEWER_THAN_REFERENCE = {
    "guestfs_btrfs_scrub_full", "guestfs_clevis_luks_unlock", "guestfs_command_out",
    "guestfs_device_name", "guestfs_findfs_partlabel", "guestfs_findfs_partuuid",
    "guestfs_inspect_get_build_id", "guestfs_inspect_get_windows_group_policy",
    "guestfs_ntfs_chmod", "guestfs_setfiles", "guestfs_sh_out", "guestfs_xfs_info2",
}
# ... with the _va and _argv forms of those with optional arguments.
NEWER_FUNCTIONS = NEWER_THAN_REFERENCE | {n + s for n in NEWER_THAN_REFERENCE
                                          for s in ("_va", "_argv")}
NEWER_OPTARGS = {"guestfs_e2fsck_argv": "int forceno;"}
# selinux_relabel (one path) gave way to setfiles (several), and xfs_info's
# fixed struct to xfs_info2's table of every field.
NEWER_DEPRECATIONS = {"guestfs_selinux_relabel": "setfiles", "guestfs_xfs_info": "xfs_info2"}

# The call names of the newest upstream libguestfs we could read (see the
# file's header), and those Hatch leaves out on purpose, with the reason.
UPSTREAM_NAMES = os.path.join(TOP, "tests", "unit", "upstream-api-names.txt")
DELIBERATELY_ABSENT = {
    "internal_readdir": "upstream's private helper behind readdir (a FileOut "
                        "stream); Hatch's readdir is one daemon call and needs no helper",
}

unittest.TestCase.longMessage = False  # our messages say it all

_table = None
_gen_dir = None


def table():
    global _table
    if _table is None:
        _table = load.load(API)
    return _table


def generated(kind):
    """Path of a generated file (made once per run in a temp dir)."""
    global _gen_dir
    if _gen_dir is None:
        _gen_dir = tempfile.mkdtemp(prefix="hatch-gen-test-")
    names = {"header": "guestfs.h", "structs-h": "guestfs-structs.h",
             "protocol-h": "protocol-gen.h", "protocol-c": "protocol-gen.c",
             "lib-c": "lib/actions-gen.c", "lib-impl-h": "lib/actions-gen.h",
             "daemon-h": "daemon/actions-gen.h", "daemon-c": "daemon/dispatch-gen.c",
             "tests-c": "table-tests-gen.c"}
    path = os.path.join(_gen_dir, names[kind])
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pre = os.path.join(TOP, "include", "guestfs.h.in") if kind == "header" else None
        text = gen_main.produce(table(), kind, pre)
        with open(path, "w") as f:
            f.write(text)
    return path


def read(path):
    with open(path) as f:
        return f.read()


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def prototypes(path):
    """name -> normalised prototype of every 'extern GUESTFS_DLL_PUBLIC'
    function declaration outside comments and preprocessor lines."""
    t = strip_c_comments(read(path))
    t = re.sub(r"^\s*#.*$", "", t, flags=re.M)
    out = {}
    for m in re.finditer(r"extern\s+GUESTFS_DLL_PUBLIC\s+([^;]*?);", t, flags=re.S):
        s = m.group(1)
        s = re.sub(r"GUESTFS_DEPRECATED_REPLACED_BY\s*\([^)]*\)|"
                   r"GUESTFS_DEPRECATED_NO_REPLACEMENT|GUESTFS_NORETURN", "", s)
        s = normalise(s)
        n = re.search(r"\b(guestfs_\w+)\(", s)
        if n:
            out.setdefault(n.group(1), []).append(s)
    return out


def normalise(s):
    s = " ".join(s.split())
    return re.sub(r"\s*([(),*;{}\[\]])\s*", r"\1", s).strip()


def deprecations(path):
    """name -> replacement ("" for GUESTFS_DEPRECATED_NO_REPLACEMENT) of
    every function declared deprecated."""
    t = strip_c_comments(read(path))
    out = {}
    for m in re.finditer(r"extern\s+GUESTFS_DLL_PUBLIC\s+[^;]*?\b(guestfs_\w+)\s*\([^;]*?\)\s*"
                         r"GUESTFS_DEPRECATED_(?:NO_REPLACEMENT|REPLACED_BY\s*\(\s*\"(\w+)\"\s*\))\s*;",
                         t, flags=re.S):
        out[m.group(1)] = m.group(2) or ""
    return out


def struct_bodies(path):
    t = strip_c_comments(read(path))
    t = re.sub(r"^\s*#.*$", "", t, flags=re.M)
    return {m.group(1): normalise(m.group(2))
            for m in re.finditer(r"struct\s+(guestfs_\w+)\s*\{(.*?)\};", t, flags=re.S)}


def defines(path):
    t = strip_c_comments(read(path))
    out = {}
    for m in re.finditer(r"^\s*#\s*define\s+(GUESTFS_\w+)[ \t]+(\S[^\n]*)$", t, flags=re.M):
        out[m.group(1)] = " ".join(m.group(2).split())
    return out


def typedefs(path):
    t = strip_c_comments(read(path))
    t = re.sub(r"^\s*#.*$", "", t, flags=re.M)
    out = {}
    for m in re.finditer(r"typedef\s+([^;]*?);", t, flags=re.S):
        s = normalise(m.group(1))
        n = re.search(r"\(\*(\w+)\)|(\w+)$", s)
        if n:
            out[n.group(1) or n.group(2)] = s
    return out


class TestTable(unittest.TestCase):
    def test_names_unique(self):
        names = [a.name for a in table().actions]
        dups = sorted({n for n in names if names.count(n) > 1})
        self.assertEqual(dups, [], "duplicate action names")

    def test_procs_unique(self):
        procs = [a.proc for a in table().actions if a.proc is not None]
        dups = sorted({p for p in procs if procs.count(p) > 1})
        self.assertEqual(dups, [], "duplicate procedure numbers")
        self.assertTrue(all(isinstance(p, int) and p > 0 for p in procs),
                        "procedure numbers must be positive integers (0 is exit)")

    def test_names_are_c_identifiers(self):
        # Lower case, except the few libguestfs names that end in
        # capitals for the tool options they mirror (mkswap_L, mke2fs_JL,
        # sfdiskM).
        bad = [a.name for a in table().actions
               if not re.fullmatch(r"[a-z][a-z0-9_]*(_?[A-Z]{1,2})?", a.name)]
        self.assertEqual(bad, [])

    def test_daemon_actions_have_tests(self):
        # internal_exit ends the daemon, so it cannot share the table
        # runner's appliance: tests/shell/misc-guestfish.sh covers it.
        elsewhere = {"internal_exit"}
        missing = [a.name for a in table().daemon_actions
                   if not a.tests and a.name not in elsewhere]
        self.assertEqual(missing, [], "daemon actions without a test in the table")

    def test_actions_have_docs(self):
        missing = [a.name for a in table().actions
                   if not (a.shortdesc or "").strip() or not (a.longdesc or "").strip()]
        self.assertEqual(missing, [], "actions without shortdesc/longdesc")
        long_short = [a.name for a in table().actions if "\n" in a.shortdesc]
        self.assertEqual(long_short, [], "shortdesc must be one line")

    def test_test_commands_name_actions(self):
        """Every command in a table test names a known action, and every
        test line tokenizes."""
        bad = []
        for a in table().actions:
            for t in a.tests:
                for line in t.commands:
                    toks = gen_tests.tokenize(line)
                    try:
                        table().lookup(toks[0].decode())
                    except KeyError:
                        bad.append("%s: %s" % (a.name, line))
        self.assertEqual(bad, [])

    def test_scenarios_known(self):
        known = {"none", "empty", "partition", "basicfs", "scratchfs"}
        bad = ["%s: %s" % (a.name, t.scenario) for a in table().actions
               for t in a.tests if t.scenario not in known]
        self.assertEqual(bad, [])


class TestApiHash(unittest.TestCase):
    def copy_api(self):
        d = tempfile.mkdtemp(prefix="hatch-api-")
        self.addCleanup(shutil.rmtree, d)
        dst = os.path.join(d, "api")
        shutil.copytree(API, dst, ignore=shutil.ignore_patterns("__pycache__"))
        return dst

    def edit(self, api_dir, fn, old, new):
        p = os.path.join(api_dir, fn)
        s = read(p)
        self.assertIn(old, s, "test fixture: %r not in %s" % (old, fn))
        with open(p, "w") as f:
            f.write(s.replace(old, new, 1))

    def test_stable(self):
        h1 = load.load(API).api_hash()
        h2 = load.load(API).api_hash()
        self.assertEqual(h1, h2)
        self.assertRegex(h1, r"^[0-9a-f]{16,}$")

    def test_matches_generated_protocol_header(self):
        text = read(generated("protocol-h"))
        self.assertIn('#define HATCH_API_HASH "%s"' % table().api_hash(), text)

    def test_copy_hashes_the_same(self):
        d = self.copy_api()
        self.assertEqual(load.load(d).api_hash(), table().api_hash())

    def test_changes_with_proc_number(self):
        d = self.copy_api()
        self.edit(d, "filesystems_generic.py", "proc=20,", "proc=120,")
        self.assertNotEqual(load.load(d).api_hash(), table().api_hash())

    def test_changes_with_argument_type(self):
        d = self.copy_api()
        self.edit(d, "filesystems_generic.py", 'OInt("blocksize")', 'OInt64("blocksize")')
        self.assertNotEqual(load.load(d).api_hash(), table().api_hash())

    def test_changes_with_new_optarg(self):
        d = self.copy_api()
        self.edit(d, "filesystems_generic.py", 'OString("label")]', 'OString("label"), OBool("extra")]')
        self.assertNotEqual(load.load(d).api_hash(), table().api_hash())

    def test_unchanged_by_docs(self):
        """Only what shapes the wire is hashed: editing docs must not force
        an appliance rebuild."""
        d = self.copy_api()
        self.edit(d, "filesystems_generic.py", 'shortdesc="make a filesystem"',
                  'shortdesc="make a filesystem (edited)"')
        self.assertEqual(load.load(d).api_hash(), table().api_hash())

    def test_duplicate_proc_rejected(self):
        d = self.copy_api()
        self.edit(d, "filesystems_generic.py", "proc=21,", "proc=20,")
        with self.assertRaises(SystemExit):
            load.load(d)


class TestHeader(unittest.TestCase):
    def setUp(self):
        self.h = read(generated("header"))
        self.code = strip_c_comments(self.h)

    def test_mkfs_opts_forms(self):
        c = self.code
        self.assertRegex(c, r"int guestfs_mkfs \(guestfs_h \*g, const char \*fstype, "
                            r"const char \*device\);")
        self.assertRegex(c, r"int guestfs_mkfs_opts \(guestfs_h \*g, const char \*fstype, "
                            r"const char \*device, \.\.\.\);")
        self.assertRegex(c, r"int guestfs_mkfs_opts_va \([^;]*va_list args\);")
        self.assertRegex(c, r"int guestfs_mkfs_opts_argv \([^;]*const struct "
                            r"guestfs_mkfs_opts_argv \*optargs\);")
        self.assertRegex(c, r"#\s*define GUESTFS_MKFS_OPTS_LABEL_BITMASK \(UINT64_C\(1\)<<4\)")
        self.assertRegex(c, r"#\s*define GUESTFS_MKFS_OPTS_LABEL 4\b")
        self.assertRegex(c, r"#\s*define GUESTFS_MKFS_OPTS_BLOCKSIZE 0\b")

    def test_every_action_declared(self):
        protos = prototypes(generated("header"))
        missing = [a.c_name for a in table().actions
                   if not a.internal and "guestfs_" + a.c_name not in protos]
        self.assertEqual(missing, [])

    def test_declared_once(self):
        """Each declaration appears exactly once in the header text (not
        also inside a comment: the preamble's comment must not receive a
        copy of the generated declarations)."""
        raw = self.h
        twice = sorted(name for name in prototypes(generated("header"))
                       if len(re.findall(r"\b%s \(" % re.escape(name), raw)) > 1)
        self.assertFalse(twice, "%d names declared more than once in guestfs.h, e.g. %s"
                         % (len(twice), ", ".join(twice[:3])))


class TestTokenize(unittest.TestCase):
    T = staticmethod(gen_tests.tokenize)

    def test_plain(self):
        self.assertEqual(self.T("mkfs ext4 /dev/sda1"), [b"mkfs", b"ext4", b"/dev/sda1"])
        self.assertEqual(self.T("  a\t b  "), [b"a", b"b"])
        self.assertEqual(self.T(""), [])

    def test_quotes(self):
        self.assertEqual(self.T('write /f "hello world"'), [b"write", b"/f", b"hello world"])
        self.assertEqual(self.T('a ""'), [b"a", b""])
        self.assertEqual(self.T('ab"cd ef"gh'), [b"abcd efgh"])
        self.assertEqual(self.T('"x" "y"'), [b"x", b"y"])

    def test_escapes(self):
        self.assertEqual(self.T(r'"a\nb"'), [b"a\nb"])
        self.assertEqual(self.T(r'"a\tb"'), [b"a\tb"])
        self.assertEqual(self.T(r'"a\\b"'), [b"a\\b"])
        self.assertEqual(self.T(r'"say \"hi\""'), [b'say "hi"'])
        self.assertEqual(self.T(r'"\x00\x41\xff"'), [b"\x00A\xff"])

    def test_unterminated(self):
        with self.assertRaises(SystemExit):
            self.T('write /f "oops')


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kw)


@unittest.skipUnless(shutil.which("gcc"), "gcc not installed")
class TestCompile(unittest.TestCase):
    def test_header_compiles_strictly(self):
        d = os.path.dirname(generated("header"))
        src = os.path.join(d, "use-header.c")
        with open(src, "w") as f:
            f.write('#include "guestfs.h"\n'
                    "int main (void) {\n"
                    "  guestfs_h *g = guestfs_create ();\n"
                    "  int r = guestfs_mkfs_opts (g, \"ext4\", \"/dev/sda1\",\n"
                    "             GUESTFS_MKFS_OPTS_LABEL, \"L\", -1);\n"
                    "  guestfs_close (g);\n"
                    "  return r;\n}\n")
        for std in ("-std=c99", "-std=gnu11"):
            r = run(["gcc", "-fsyntax-only", std, "-Wall", "-Wextra", "-Werror",
                     "-pedantic", "-I", d, src])
            self.assertEqual(r.returncode, 0, "%s:\n%s" % (std, r.stdout))

    @unittest.skipUnless(shutil.which("g++"), "g++ not installed")
    def test_header_compiles_as_cxx(self):
        d = os.path.dirname(generated("header"))
        src = os.path.join(d, "use-header.cc")
        with open(src, "w") as f:
            f.write('#include "guestfs.h"\nint main () { return guestfs_create () == 0; }\n')
        r = run(["g++", "-fsyntax-only", "-Wall", "-Werror", "-I", d, src])
        self.assertEqual(r.returncode, 0, r.stdout)

    def compile_snippet(self, body, *flags):
        d = os.path.dirname(generated("header"))
        src = os.path.join(d, "use-deprecated.c")
        with open(src, "w") as f:
            f.write('#include "guestfs.h"\nint main (void) {\n'
                    '  guestfs_h *g = guestfs_create ();\n%s\n  return 0;\n}\n' % body)
        return run(["gcc", "-fsyntax-only", "-std=gnu11", "-Wall", "-Werror",
                    "-Werror=implicit-function-declaration"] + list(flags) + ["-I", d, src])

    def test_deprecated_warns(self):
        call = "  guestfs_e2fsck_f (g, \"/dev/sda1\");"
        r = self.compile_snippet(call)
        self.assertNotEqual(r.returncode, 0, "calling a deprecated function must warn")
        self.assertIn("guestfs_e2fsck", r.stdout)
        r = self.compile_snippet(call, "-DGUESTFS_NO_WARN_DEPRECATED")
        self.assertEqual(r.returncode, 0, r.stdout)
        r = self.compile_snippet(call, "-DGUESTFS_NO_DEPRECATED")
        self.assertNotEqual(r.returncode, 0, "GUESTFS_NO_DEPRECATED must hide it")
        r = self.compile_snippet("  guestfs_launch (g);", "-DGUESTFS_NO_DEPRECATED")
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_protocol_c_compiles(self):
        generated("header")
        generated("structs-h")
        generated("protocol-h")
        c = generated("protocol-c")
        r = run(["gcc", "-fsyntax-only", "-std=gnu11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                 "-Werror", "-Wno-unused-parameter",
                 "-I", os.path.dirname(c), "-I", os.path.join(TOP, "common"), c])
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_daemon_c_compiles(self):
        for k in ("header", "structs-h", "protocol-h", "daemon-h"):
            generated(k)
        c = generated("daemon-c")
        r = run(["gcc", "-fsyntax-only", "-std=gnu11", "-D_GNU_SOURCE", "-Wall",
                 "-Wno-unused-parameter", "-Wno-missing-field-initializers",
                 "-I", os.path.dirname(c), "-I", _gen_dir, "-I", os.path.join(TOP, "common"),
                 "-I", os.path.join(TOP, "daemon", "core"), c])
        self.assertEqual(r.returncode, 0, r.stdout)


@unittest.skipUnless(os.path.exists(REFERENCE_H), REFERENCE_H + " not installed")
class TestReferenceHeader(unittest.TestCase):
    """Source compatibility with libguestfs: whatever we declare that the
    reference header also declares must be spelt the same."""

    def test_function_prototypes(self):
        ours = prototypes(generated("header"))
        ref = prototypes(REFERENCE_H)
        common = sorted(set(ours) & set(ref))
        self.assertGreater(len(common), 20, "too few common functions: parsing broke?")
        bad = []
        for name in common:
            if ours[name][0] != ref[name][0]:
                bad.append("%s:\n      ours:      %s\n      libguestfs: %s"
                           % (name, ours[name][0], ref[name][0]))
        self.assertFalse(bad, "%d of %d prototypes differ:\n    %s"
                         % (len(bad), len(common), "\n    ".join(bad)))

    def test_deprecations(self):
        """Functions libguestfs deprecates are deprecated here too, with
        the same replacement; nothing else is."""
        ours = deprecations(generated("header"))
        ref = deprecations(REFERENCE_H)
        self.assertGreater(len(ref), 50, "parsing the reference broke?")
        common = set(prototypes(generated("header"))) & set(prototypes(REFERENCE_H))
        newest = dict(ref, **NEWER_DEPRECATIONS)
        bad = ["%s: ours %r, libguestfs %r" % (n, ours.get(n), newest.get(n))
               for n in sorted(common) if ours.get(n) != newest.get(n)]
        self.assertFalse(bad, "\n    ".join(bad))
        missing = sorted(set(ref) - set(ours))
        sys.stderr.write("# deprecated functions: %d of libguestfs's %d declared%s\n"
                         % (len(set(ref) & set(ours)), len(ref),
                            "; missing: " + " ".join(n[8:] for n in missing) if missing else ""))

    def test_no_unknown_public_functions(self):
        """A guestfs_* function the reference lacks is a naming mistake
        (or an extension that must not use the guestfs_ prefix)."""
        extra = sorted(set(prototypes(generated("header"))) - set(prototypes(REFERENCE_H))
                       - NEWER_FUNCTIONS)
        self.assertEqual(extra, [])

    def test_newer_names_are_upstream_ones(self):
        """What we allow beyond 1.48 is exactly the public calls of the
        newest upstream list that 1.48 lacks."""
        ref = set(prototypes(REFERENCE_H))
        upstream = {"guestfs_" + n for n in upstream_names() if not n.startswith("internal_")}
        self.assertEqual(sorted(upstream - ref), sorted(NEWER_THAN_REFERENCE))

    def test_newer_calls_declared(self):
        ours = set(prototypes(generated("header")))
        self.assertEqual(sorted(NEWER_THAN_REFERENCE - ours), [])

    def test_structs(self):
        ours = struct_bodies(generated("header"))
        ref = struct_bodies(REFERENCE_H)
        # An optional argument added upstream since the reference goes at
        # the end of its struct, as upstream adds them.
        bad = ["%s:\n      ours:       %s\n      libguestfs: %s" % (n, ours[n], ref[n])
               for n in sorted(set(ours) & set(ref))
               if ours[n] != ref[n] + NEWER_OPTARGS.get(n, "")]
        self.assertFalse(bad, "\n    ".join(bad))

    def test_typedefs(self):
        ours = typedefs(generated("header"))
        ref = typedefs(REFERENCE_H)
        bad = ["%s:\n      ours:       %s\n      libguestfs: %s" % (n, ours[n], ref[n])
               for n in sorted(set(ours) & set(ref))
               if ours[n].replace("GUESTFS_NORETURN", "") != ref[n].replace("GUESTFS_NORETURN", "")]
        self.assertFalse(bad, "\n    ".join(bad))

    def test_constants(self):
        ours = defines(generated("header"))
        ref = defines(REFERENCE_H)
        skip = {"GUESTFS_DLL_PUBLIC", "GUESTFS_DEPRECATED_NO_REPLACEMENT",
                "GUESTFS_DEPRECATED_REPLACED_BY", "GUESTFS_NORETURN",
                "GUESTFS_H_", "GUESTFS_STRUCTS_DEFINED"}
        bad = ["%s: ours %s, libguestfs %s" % (n, ours[n], ref[n])
               for n in sorted(set(ours) & set(ref))
               if n not in skip and ours[n] != ref[n]]
        self.assertFalse(bad, "\n    ".join(bad))


def upstream_names():
    with open(UPSTREAM_NAMES) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


class TestNewestUpstream(unittest.TestCase):
    """The newest upstream API: every call is in the table (so in
    guestfs.h, guestfish and guestfs(3)), or left out on purpose."""

    def test_list_is_sane(self):
        names = upstream_names()
        self.assertGreater(len(names), 500, "the upstream name list is truncated")
        self.assertEqual(names, sorted(set(names)), "keep the list sorted, no repeats")

    def test_every_upstream_call_in_table(self):
        ours = {a.name for a in table().actions}
        missing = [n for n in upstream_names() if n not in ours and n not in DELIBERATELY_ABSENT]
        self.assertEqual(missing, [])
        stale = [n for n in DELIBERATELY_ABSENT if n in ours]
        self.assertEqual(stale, [], "listed as absent but present")

    def test_newest_calls_in_fish_and_man(self):
        """guestfish's command table and guestfs(3) come from the table:
        each call newer than 1.48 has a command and a man page entry."""
        newer = sorted(n[len("guestfs_"):] for n in NEWER_THAN_REFERENCE)
        fish = gen_main.produce(table(), "fish-c", None)
        man = gen_main.produce(table(), "man", os.path.join(TOP, "docs", "guestfs.3.in"))
        no_cmd = [n for n in newer if '"%s"' % n.replace("_", "-") not in fish]
        no_man = [n for n in newer if "\n.SS guestfs_%s\n" % n not in man]
        self.assertEqual((no_cmd, no_man), ([], []))


class TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.n = 0

    def _line(self, test, status, detail=None):
        self.n += 1
        name = "%s.%s" % (type(test).__name__, test._testMethodName) \
            if hasattr(test, "_testMethodName") else str(test)
        print("%s %d - %s" % (status, self.n, name))
        if detail:
            for line in detail.rstrip().split("\n"):
                print("# " + line)
        sys.stdout.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(test, "not ok", str(err[1]))

    def addError(self, test, err):
        super().addError(test, err)
        self._line(test, "not ok", "".join(traceback.format_exception(*err)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.n += 1
        print("ok %d # SKIP %s" % (self.n, reason))


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = TapResult()
    try:
        suite.run(result)
    finally:
        if _gen_dir:
            shutil.rmtree(_gen_dir, ignore_errors=True)
    print("1..%d" % result.n)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
