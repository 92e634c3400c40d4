"""Load and check the API table in api/."""
import hashlib
import importlib.util
import os

from generator.types import STRING_KINDS


def _load_module(path):
    name = "api_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Table:
    def __init__(self, actions, structs):
        self.actions = actions
        self.structs = structs
        self.struct_by_name = {s.name: s for s in structs}
        self.by_name = {a.name: a for a in actions}

    @property
    def daemon_actions(self):
        return sorted((a for a in self.actions if a.in_daemon),
                      key=lambda a: a.proc)

    @property
    def library_actions(self):
        return [a for a in self.actions if not a.in_daemon]

    def lookup(self, cmd):
        """Find an action by its name, dashed name, or guestfish alias."""
        cmd = cmd.replace("-", "_")
        if cmd in self.by_name:
            return self.by_name[cmd]
        for a in self.actions:
            if cmd in a.fish_alias:
                return a
        raise KeyError(cmd)

    def api_hash(self):
        """Hash of everything that shapes the wire protocol, checked at
        launch so a stale appliance daemon is detected."""
        parts = []
        for a in self.daemon_actions:
            parts.append("%d %s %s(%s)[%s]%s" % (
                a.proc, a.name, a.ret.kind,
                ",".join(x.kind for x in a.args),
                ",".join(x.kind for x in a.optargs), a.ret.struct or ""))
        for s in self.structs:
            parts.append("struct %s %s" % (s.name, s.fields))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def check(table):
    names = set()
    procs = set()
    for a in table.actions:
        if a.name in names:
            raise SystemExit("duplicate action %s" % a.name)
        names.add(a.name)
        if a.proc is not None:
            if a.proc in procs:
                raise SystemExit("duplicate proc %d (%s)" % (a.proc, a.name))
            procs.add(a.proc)
        if a.ret.kind in ("RStruct", "RStructList") and \
                a.ret.struct not in table.struct_by_name:
            raise SystemExit("%s: unknown struct %s" % (a.name, a.ret.struct))
        if not a.shortdesc or not a.longdesc:
            raise SystemExit("%s: missing documentation" % a.name)
        if len(a.optargs) > 64:
            raise SystemExit("%s: too many optargs" % a.name)
        for arg in a.args:
            # internal_test only prints its file names: no stream.
            if arg.kind in ("FileIn", "FileOut") and a.proc is None and not a.internal:
                raise SystemExit("%s: file streams need a daemon action" % a.name)
            if arg.kind == "Pointer" and a.in_daemon:
                raise SystemExit("%s: a C pointer cannot go to the daemon" % a.name)
        if len(a.filein) + len(a.fileout) > 1 and a.in_daemon:
            raise SystemExit("%s: at most one file stream" % a.name)
    for a in table.actions:
        for alias in a.fish_alias:
            if alias in names and alias != a.name:
                other = table.by_name[alias]
                # an alias may name the _opts spelling only
                if other is not a:
                    raise SystemExit("%s: alias %s is an action" % (a.name, alias))


def load(api_dir):
    actions = []
    structs = []
    deprecations = {}
    for fn in sorted(os.listdir(api_dir)):
        if not fn.endswith(".py") or fn.startswith("_"):
            continue
        mod = _load_module(os.path.join(api_dir, fn))
        actions.extend(getattr(mod, "ACTIONS", []))
        structs.extend(getattr(mod, "STRUCTS", []))
        deprecations.update(getattr(mod, "DEPRECATIONS", {}))
    actions.sort(key=lambda a: a.name)
    # DEPRECATIONS (name -> replacement, or NO_REPLACEMENT) mark actions
    # that libguestfs deprecates where their own entry does not say so.
    by_name = {a.name: a for a in actions}
    for name, repl in deprecations.items():
        if name in by_name and by_name[name].deprecated_by is None:
            by_name[name].deprecated_by = repl
    table = Table(actions, structs)
    check(table)
    return table


def is_string(kind):
    return kind in STRING_KINDS
