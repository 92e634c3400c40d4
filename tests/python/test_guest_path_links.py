#!/usr/bin/env python3
"""Every daemon call that takes a guest path resolves it inside the guest
root, one appliance launch for all: write, write_append, upload, cp, cp_a,
cp_r, mv, ln, ln_f, ln_s, ln_sf, mkdir_p, chmod, touch, copy_in and rsync
(when the appliance has it) are each called through guest symlinks of
every kind: absolute, a ".." chain climbing past the root, a chain of
links (relative, absolute, through another link), links to /proc and
/dev, and links naming the appliance's own files (/etc/passwd,
/etc/shadow, the daemon /usr/sbin/guestfsd, its disk /dev/sdb).

For each call and link: the call either writes where the link leads
inside the guest (checked by reading the guest file back) or fails with
an error naming the path; the appliance's own files (listed with debug ll:
names, sizes, modes, times) and the second disk (sha256) are unchanged,
and the daemon still answers.  Links whose in-guest target exists (/etc,
/dev of the guest) must work: resolving inside the root is not the same
as refusing every link.  Prints TAP."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Skip, Tap, import_guestfs, launch_guest_and_disk  # noqa: E402

guestfs = import_guestfs()
tmp = tempfile.mkdtemp(prefix="hatch-links-")
g = guestfs.GuestFS(python_return_dict=True)

# Directory links below /t: name -> (link target, where it leads in the
# guest).  The guest has /etc and /dev, no /proc.
DIRLINKS = {
    "abs": ("/etc", "/etc"),
    "dotdot": ("../../../../../../../../etc", "/etc"),
    "chain": ("chain2", "/etc"),           # chain -> chain2 -> /t/chain3 -> ../t/abs -> /etc
    "devdir": ("/dev", "/dev"),
    "procroot": ("/proc/self/root/etc", "/proc/self/root/etc"),
    "proc1": ("/proc/1/root/usr/sbin", "/proc/1/root/usr/sbin"),
}
# File links: name -> (link target, where it leads in the guest).
FILELINKS = {
    "f-passwd": ("/etc/passwd", "/etc/passwd"),
    "f-shadow": ("../../../../../etc/shadow", "/etc/shadow"),
    "f-daemon": ("/usr/sbin/guestfsd", "/usr/sbin/guestfsd"),
    "f-init": ("/init", "/init"),
    "f-sdb": ("/dev/sdb", "/dev/sdb"),
    "f-chain": ("chain/passwd", "/etc/passwd"),
    "f-proc": ("/proc/sys/kernel/hostname", "/proc/sys/kernel/hostname"),
    "f-procfd": ("/proc/self/fd/0", "/proc/self/fd/0"),
}
# The appliance directories whose listing must not change.
APPLIANCE_DIRS = ["/", "/etc", "/usr/sbin", "/usr/bin", "/root"]


def appliance_state():
    listing = {d: g.debug("ll", [d]) for d in APPLIANCE_DIRS}
    # The top directory's own line and the virtual filesystems change by
    # themselves (mounts, the daemon's temporary files): keep the files.
    listing["/"] = "\n".join(
        l for l in listing["/"].splitlines()
        if not l.endswith((" .", " ..", " dev", " proc", " run", " sys", " tmp", " sysroot")))
    return listing, g.checksum_device("sha256", "/dev/sdb")


def reset_guest():
    """The guest tree every check starts from."""
    for d in ["/etc", "/dev", "/usr", "/out", "/proc", "/init"]:
        g.rm_rf(d)
    g.mkdir_p("/etc")
    g.mkdir_p("/dev")
    g.mkdir_p("/usr/sbin")
    g.mkdir_p("/out")
    g.write("/etc/passwd", "guest-passwd\n")
    g.chmod(0o644, "/etc/passwd")


def test_launch():
    """launch with a guest filesystem and a second disk"""
    launch_guest_and_disk(g, tmp)
    g.mkdir("/t")
    for name, (target, _) in list(DIRLINKS.items()) + list(FILELINKS.items()):
        g.ln_s(target, "/t/" + name)
    g.ln_s("/t/chain3", "/t/chain2")
    g.ln_s("../t/abs", "/t/chain3")
    g.mkdir_p("/src/dir/sub")
    g.write("/src/file", "source-file-data")
    g.write("/src/dir/sub/deep", "deep-data")
    reset_guest()
    global before
    before = appliance_state()


failures = []


def relink():
    """Put back any link of /t a call replaced (mv, ln_f onto a link)."""
    for name, (target, _) in list(DIRLINKS.items()) + list(FILELINKS.items()):
        if not g.is_symlink("/t/" + name) or g.readlink("/t/" + name) != target:
            g.rm_rf("/t/" + name)
            g.ln_s(target, "/t/" + name)


current = [None]


def through(call_name, links, call, check, named=None):
    """Call call(link path, where) for each link; check(where) after a
    success.  Collects the failures of the rule (not the call's errors):
    an error must name the link's path (or named(path)).
    The appliance is compared once per call and list of links."""
    reset_guest()
    for name, (_, where) in links.items():
        what = "%s through /t/%s" % (call_name, name)
        current[0] = "/t/" + name
        try:
            call("/t/" + name, where)
            try:
                check(where)
            except Exception as e:  # noqa: BLE001
                failures.append("%s: succeeded but not where the link leads in the guest (%s): %s"
                                % (what, where, e))
        except RuntimeError as e:
            msg = str(e)
            if (named or (lambda p: p))("/t/" + name) not in msg:
                failures.append("%s: the error does not name the path: %r" % (what, msg))
            # A link whose in-guest target exists must work.
            if where in ("/etc", "/dev", "/etc/passwd"):
                failures.append("%s: failed although %s exists in the guest: %s"
                                % (what, where, msg))
    relink()
    appliance_unchanged(call_name)
    g.ping_daemon()


def appliance_unchanged(what):
    after = appliance_state()
    if after != before:
        failures.append("%s: the appliance changed: %s" % (what, [
            k for k in before[0] if before[0][k] != after[0].get(k)] +
            (["/dev/sdb"] if before[1] != after[1] else [])))


def run(test):
    """run one call's checks and report its rule failures"""
    del failures[:]
    test()
    assert not failures, "\n".join(failures)


def data_for(what):
    return "%s-written-through-a-link\n" % what


def tag():
    """The name of the link the current check goes through."""
    return os.path.basename(current[0])


# ---- each call ----

def test_write():
    """write: into a directory link and onto a file link"""
    def dirs():
        through("write", DIRLINKS, lambda p, w: g.write(p + "/new-w", data_for("w")),
                lambda w: _eq(g.cat(w + "/new-w"), data_for("w")))
        through("write", FILELINKS, lambda p, w: g.write(p, data_for("wf")),
                lambda w: _eq(g.cat(w), data_for("wf")))
    run(dirs)


def test_write_append():
    """write_append: appends to the guest file the link leads to"""
    def calls():
        through("write_append", DIRLINKS, lambda p, w: g.write_append(p + "/new-a-" + tag(), "tail"),
                lambda w: _eq(g.cat(w + "/new-a-" + tag()), "tail"))
        through("write_append", FILELINKS, lambda p, w: g.write_append(p, "tail"),
                lambda w: _eq(g.cat(w)[-4:], "tail"))
        # Appending to the guest's own /etc/passwd through the link.
        reset_guest()
        g.write_append("/t/f-passwd", "more\n")
        _eq(g.cat("/etc/passwd"), "guest-passwd\nmore\n")
    run(calls)


def test_upload():
    """upload: into a directory link and onto a file link"""
    local = os.path.join(tmp, "up")
    with open(local, "w") as fh:
        fh.write(data_for("up"))

    def calls():
        through("upload", DIRLINKS, lambda p, w: g.upload(local, p + "/new-up"),
                lambda w: _eq(g.cat(w + "/new-up"), data_for("up")))
        through("upload", FILELINKS, lambda p, w: g.upload(local, p),
                lambda w: _eq(g.cat(w), data_for("up")))
    run(calls)


def test_cp():
    """cp: to a link, into a directory link, and from a file link (reads the guest's file)"""
    def calls():
        through("cp", DIRLINKS, lambda p, w: g.cp("/src/file", p),
                lambda w: _eq(g.cat(w + "/file"), "source-file-data"))
        through("cp", DIRLINKS, lambda p, w: g.cp("/src/file", p + "/named"),
                lambda w: _eq(g.cat(w + "/named"), "source-file-data"))
        through("cp", FILELINKS, lambda p, w: g.cp("/src/file", p),
                lambda w: _eq(g.cat(w), "source-file-data"))
        # Reading through a link: the guest's file, never the appliance's.
        reset_guest()
        g.cp("/t/f-passwd", "/out/passwd")
        _eq(g.cat("/out/passwd"), "guest-passwd\n")
        for name in ["f-shadow", "f-daemon", "f-init", "f-proc", "f-sdb"]:
            try:
                g.cp("/t/" + name, "/out/" + name)
                failures.append("cp from /t/%s read something the guest does not have: %r"
                                % (name, g.cat("/out/" + name)[:40]))
            except RuntimeError as e:
                if name not in str(e):
                    failures.append("cp from /t/%s: unclear error %r" % (name, str(e)))
    run(calls)


def test_cp_a_cp_r():
    """cp_a, cp_r: a directory tree into a directory link"""
    def calls():
        for fn in ("cp_a", "cp_r"):
            through(fn, DIRLINKS, lambda p, w, fn=fn: getattr(g, fn)("/src/dir", p),
                    lambda w: _eq(g.cat(w + "/dir/sub/deep"), "deep-data"))
            through(fn, DIRLINKS, lambda p, w, fn=fn: getattr(g, fn)("/src/dir", p + "/copy"),
                    lambda w: _eq(g.cat(w + "/copy/sub/deep"), "deep-data"))
    run(calls)


def test_mv():
    """mv: into a directory link, onto a file link (replaces the link, not its target)"""
    def make_and_mv(dest):
        g.write("/src/moving", "moving-data")
        g.mv("/src/moving", dest)

    def calls():
        through("mv", DIRLINKS, lambda p, w: make_and_mv(p + "/moved"),
                lambda w: _eq(g.cat(w + "/moved"), "moving-data"))
        # Onto the link itself: into the directory it leads to, or (a
        # dangling link in the guest, /proc) over the link, as rename(2).
        through("mv", DIRLINKS, lambda p, w: make_and_mv(p),
                lambda w: _eq(g.cat(w + "/moving" if g.is_dir(w) else current[0]),
                              "moving-data"))
        # mv onto a file link renames over the link itself, as rename(2).
        for name in FILELINKS:
            make_and_mv("/t/" + name)
            _eq(g.cat("/t/" + name), "moving-data")
            _eq(g.is_symlink("/t/" + name), False)
            _eq(g.cat("/etc/passwd"), "guest-passwd\n")
        relink()
        appliance_unchanged("mv onto file links")
    run(calls)


def test_links():
    """ln, ln_f, ln_s, ln_sf: a new link through a directory link; ln_sf/ln_f onto a file link replace the link"""
    def calls():
        through("ln", DIRLINKS, lambda p, w: g.ln("/src/file", p + "/hard-" + tag()),
                lambda w: _eq(g.statns(w + "/hard-" + tag())["st_ino"], g.statns("/src/file")["st_ino"]))
        through("ln_f", DIRLINKS, lambda p, w: g.ln_f("/src/file", p + "/hardf-" + tag()),
                lambda w: _eq(g.statns(w + "/hardf-" + tag())["st_ino"], g.statns("/src/file")["st_ino"]))
        through("ln_s", DIRLINKS, lambda p, w: g.ln_s("/src/file", p + "/soft-" + tag()),
                lambda w: _eq(g.readlink(w + "/soft-" + tag()), "/src/file"))
        through("ln_sf", DIRLINKS, lambda p, w: g.ln_sf("/src/file", p + "/softf-" + tag()),
                lambda w: _eq(g.readlink(w + "/softf-" + tag()), "/src/file"))
        # ln to a file link as its target: a hard link to the link itself.
        reset_guest()
        g.ln("/t/f-passwd", "/out/hl")
        _eq(g.readlink("/out/hl"), "/etc/passwd")
        for fn in ("ln_sf", "ln_f"):
            for name, (target, _) in FILELINKS.items():
                getattr(g, fn)("/src/file", "/t/" + name)
                if fn == "ln_sf":
                    _eq(g.readlink("/t/" + name), "/src/file")
                else:
                    _eq(g.statns("/t/" + name)["st_ino"], g.statns("/src/file")["st_ino"])
                _eq(g.cat("/etc/passwd"), "guest-passwd\n")
                g.rm("/t/" + name)
                g.ln_s(target, "/t/" + name)
        after = appliance_state()
        if after != before:
            failures.append("ln_sf/ln_f onto file links: the appliance changed")
    run(calls)


def test_mkdir_p():
    """mkdir_p: a path through a directory link"""
    def calls():
        through("mkdir_p", DIRLINKS, lambda p, w: g.mkdir_p(p + "/a/b/c"),
                lambda w: _eq(g.is_dir(w + "/a/b/c"), True))
    run(calls)


def test_chmod():
    """chmod: the guest file the link leads to, never the appliance's"""
    def calls():
        through("chmod", FILELINKS, lambda p, w: g.chmod(0o4700, p),
                lambda w: _eq(g.statns(w)["st_mode"] & 0o7777, 0o4700))
        through("chmod", DIRLINKS, lambda p, w: g.chmod(0o700, p),
                lambda w: _eq(g.statns(w)["st_mode"] & 0o7777, 0o700))
    run(calls)


def test_touch():
    """touch: creates or touches the guest file the link leads to"""
    def calls():
        through("touch", DIRLINKS, lambda p, w: g.touch(p + "/touched"),
                lambda w: _eq(g.is_file(w + "/touched"), True))
        # touch works on regular files only (as libguestfs): a link is
        # refused by its own type, whatever it names.
        for name in FILELINKS:
            try:
                g.touch("/t/" + name)
                failures.append("touch /t/%s: a symlink was touched" % name)
            except RuntimeError as e:
                if "regular files" not in str(e) or "/t/" + name not in str(e):
                    failures.append("touch /t/%s: %r" % (name, str(e)))
        appliance_unchanged("touch on file links")
    run(calls)


def test_copy_in():
    """copy_in: refuses a link as its target (as libguestfs); a guest link met below the target resolves in the guest"""
    src = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(src, "sub"), exist_ok=True)
    with open(os.path.join(src, "sub", "f"), "w") as fh:
        fh.write("copied-in")

    def into_link_below(p, w):
        g.rm_rf("/out/tree")
        g.ln_s(g.readlink(p), "/out/tree")
        g.copy_in(src, "/out")

    def landed(w):
        # Through the guest's link, or the link replaced by the directory.
        if g.is_symlink("/out/tree"):
            _eq(g.cat(w + "/sub/f"), "copied-in")
        else:
            _eq(g.cat("/out/tree/sub/f"), "copied-in")

    def calls():
        for name in DIRLINKS:
            try:
                g.copy_in(src, "/t/" + name)
                failures.append("copy_in into the link /t/%s was not refused" % name)
            except RuntimeError as e:
                if "not a directory" not in str(e):
                    failures.append("copy_in /t/%s: %r" % (name, str(e)))
        through("copy_in", DIRLINKS, into_link_below, landed, named=lambda p: "tree")
    run(calls)


def test_rsync():
    """rsync: a guest tree into a directory link"""
    if not g.feature_available(["rsync"]):
        raise Skip("no rsync in the appliance")

    def calls():
        through("rsync", DIRLINKS, lambda p, w: g.rsync("/src/dir/", p, archive=True),
                lambda w: _eq(g.cat(w + "/sub/deep"), "deep-data"))
    run(calls)


def _eq(a, b):
    if a != b:
        raise AssertionError("%r != %r" % (a, b))


tap = Tap()
try:
    tap.run([test_launch, test_write, test_write_append, test_upload, test_cp,
             test_cp_a_cp_r, test_mv, test_links, test_mkdir_p, test_chmod,
             test_touch, test_copy_in, test_rsync])
finally:
    g.close()
    shutil.rmtree(tmp, ignore_errors=True)
tap.done()
