#!/usr/bin/python3
"""Checks of the virt-* tools' --json output, for tests/shell/tools-json.sh.

  json-output-check.py validate SCHEMA FILE.json
      FILE.json is valid against the JSON schema SCHEMA (python3-jsonschema).
  json-output-check.py inspector FILE.xml FILE.json
      virt-inspector's XML and JSON of the same inspection hold the same
      fields: every element of every operatingsystem, its attributes and
      text, in the same order.
  json-output-check.py csv KIND FILE.csv FILE.json
      the --csv and --json output of virt-filesystems -l (KIND filesystems),
      virt-df (df) or virt-ls -lR --time-t (ls) hold the same rows.

Prints what differs and exits 1, or exits 0.
"""
import csv
import json
import sys
import xml.etree.ElementTree as ET

import jsonschema

FLAGS = {"live", "netinst", "multipart"}
INTEGERS = {"major_version", "minor_version", "epoch"}
# list element -> (item element, attribute key, text key)
LISTS = {
    "mountpoints": ("mountpoint", "dev", "mountpoint"),
    "filesystems": ("filesystem", "dev", None),
    "drive_mappings": ("drive_mapping", "name", "device"),
    "applications": ("application", None, None),
}


def fields(elem):
    """The children of ELEM as an ordered list of (key, value), typed as the
    JSON output types them."""
    out = []
    for child in elem:
        tag = child.tag
        if tag in LISTS:
            item_tag, attr, text_key = LISTS[tag]
            items = []
            for item in child:
                if item.tag != item_tag:
                    raise ValueError("unexpected <%s> in <%s>" % (item.tag, tag))
                d = []
                if attr is not None:
                    d.append((attr, item.get(attr)))
                if text_key is not None:
                    d.append((text_key, item.text or ""))
                else:
                    d.extend(fields(item))
                items.append(d)
            out.append((tag, items))
        elif tag in FLAGS:
            out.append((tag, True))
        elif tag in INTEGERS:
            out.append((tag, int(child.text)))
        else:
            out.append((tag, child.text or ""))
    return out


def ordered(value):
    """JSON value with objects as ordered (key, value) lists."""
    if isinstance(value, dict):
        return [(k, ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


def compare(path, a, b, errors):
    if isinstance(a, list) and isinstance(b, list):
        pairs = all(isinstance(x, tuple) for x in a + b)
        if pairs and a and b:
            ka, kb = [k for k, _ in a], [k for k, _ in b]
            if ka != kb:
                errors.append("%s: XML keys %s, JSON keys %s" % (path, ka, kb))
                return
            for (k, va), (_, vb) in zip(a, b):
                compare("%s.%s" % (path, k), va, vb, errors)
            return
        if len(a) != len(b):
            errors.append("%s: %d items in the XML, %d in the JSON" % (path, len(a), len(b)))
            return
        for i, (va, vb) in enumerate(zip(a, b)):
            compare("%s[%d]" % (path, i), va, vb, errors)
        return
    if a != b or type(a) is not type(b):
        errors.append("%s: XML %r, JSON %r" % (path, a, b))


def inspector(xml_file, json_file):
    root = ET.parse(xml_file).getroot()
    if root.tag != "operatingsystems":
        return ["XML root element is <%s>" % root.tag]
    xml_systems = [fields(os_) for os_ in root]
    with open(json_file) as f:
        doc = json.load(f)
    json_systems = ordered(doc["operatingsystems"])
    errors = []
    compare("operatingsystems", xml_systems, json_systems, errors)
    if len(xml_systems) != len(json_systems):
        # Name the roots that one output lacks.
        def roots(systems):
            return [dict(s).get("root") for s in systems]
        xr, jr = roots(xml_systems), roots(json_systems)
        errors.append("roots only in the XML: %s; only in the JSON: %s" %
                      ([r for r in xr if r not in jr], [r for r in jr if r not in xr]))
    if not errors:
        n = sum(1 for s in xml_systems for _ in s)
        print("%d operating systems, %d fields agree" % (len(xml_systems), n))
    return errors


def csv_rows(kind, csv_file):
    with open(csv_file, newline="") as f:
        rows = list(csv.reader(f))
    if kind == "ls":
        # virt-ls -lR --csv --uids --time-t --extra-stats --checksum:
        # type,mode,size,uid,gid,atime,mtime,ctime,dev,ino,nlink,rdev,blocks,
        # checksum,path[,link]
        keys = ["type", "mode", "size", "uid", "gid", "atime", "mtime", "ctime",
                "dev", "ino", "nlink", "rdev", "blocks", "checksum", "path", "link"]
        ints = {"size", "uid", "gid", "atime", "mtime", "ctime", "ino", "nlink", "blocks"}
        out = []
        for r in rows:
            d = {}
            for k, v in zip(keys, r):
                if k in ("checksum",) and v == "":
                    continue
                d[k] = int(v) if k in ints else v
            out.append(d)
        return out
    title, rows = rows[0], rows[1:]
    if kind == "df":
        names = {"VirtualMachine": "virtual_machine", "Filesystem": "filesystem",
                 "1K-blocks": "1k_blocks", "Used": "used", "Available": "available",
                 "Use%": "use_percent", "Inodes": "inodes", "IUsed": "iused",
                 "IFree": "ifree", "IUse%": "iuse_percent"}
        keys = [names[t] for t in title]
        conv = lambda k, v: (float(v) if k.endswith("percent")
                             else int(v) if k not in ("virtual_machine", "filesystem") else v)
    else:
        keys = [t.lower() for t in title]
        conv = lambda k, v: None if v == "" else int(v) if k == "size" else v
    return [{k: conv(k, v) for k, v in zip(keys, r)} for r in rows]


def csv_compare(kind, csv_file, json_file):
    with open(json_file) as f:
        doc = json.load(f)
    rows = csv_rows(kind, csv_file)
    errors = []
    if len(rows) != len(doc):
        return ["%d CSV rows, %d JSON objects" % (len(rows), len(doc))]
    for i, (a, b) in enumerate(zip(rows, doc)):
        if a != b:
            errors.append("row %d: CSV %r, JSON %r" % (i, a, b))
    if not errors:
        print("%d rows agree" % len(rows))
    return errors


def main(argv):
    if len(argv) == 4 and argv[1] == "validate":
        with open(argv[2]) as f:
            schema = json.load(f)
        with open(argv[3]) as f:
            doc = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        errors = ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "(top)", e.message)
                  for e in cls(schema).iter_errors(doc)]
    elif len(argv) == 4 and argv[1] == "inspector":
        errors = inspector(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "csv":
        errors = csv_compare(argv[2], argv[3], argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
