#!/usr/bin/env python3
"""Keeps infra-sam/image/template.yaml in step with the scripts its Image Builder components run.

Each component document holds a pair of markers

    # >>> infra-sam/image/install-docker.sh
    # <<< infra-sam/image/install-docker.sh

and this copies the named script between them, at the markers' indentation, so the template deploys as it
is (no upload step) while the scripts stay shellcheck-able files. Components and recipes are immutable in
Image Builder, so CloudFormation replaces them on any change and the replacement must carry a new version:
each component's Version is derived from a hash of its resource text, each recipe's from its own text and
the versions of the components it names.

    python3 scripts/image-template.py          rewrite the template
    python3 scripts/image-template.py --check  exit 1 if the template is not what the rewrite would make
"""
import hashlib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra-sam" / "image" / "template.yaml"
BEGIN = re.compile(r"^(?P<indent> *)# >>> (?P<path>\S+)$")
RESOURCE = re.compile(r"^  (?P<id>[A-Za-z0-9]+):$")
VERSION = re.compile(r"^      Version: \S+$")
TYPE = re.compile(r"^    Type: (?P<type>\S+)$")
COMPONENT_REF = re.compile(r"!GetAtt (?P<id>[A-Za-z0-9]+)\.Arn")
DATA_LIMIT = 16000  # AWS::ImageBuilder::Component Data, maxLength in the resource schema


def fail(message):
    sys.exit(f"image-template: {message}")


def embed(lines):
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        begin = BEGIN.match(line)
        if not begin:
            continue
        indent, path = begin["indent"], begin["path"]
        end = f"{indent}# <<< {path}"
        while i < len(lines) and lines[i] != end:
            i += 1
        if i == len(lines):
            fail(f"'# >>> {path}' has no '# <<< {path}' at the same indentation")
        script = ROOT / path
        if not script.is_file():
            fail(f"{path} does not exist")
        out.extend(indent + s if s else "" for s in script.read_text().splitlines())
        out.append(lines[i])
        i += 1
    return out


def resources(lines):
    """(id, first line, end line) of each resource under the top-level Resources key."""
    start = lines.index("Resources:") + 1
    blocks, current = [], None
    for n in range(start, len(lines) + 1):
        line = lines[n] if n < len(lines) else "End:"
        top_level = line and not line.startswith(" ") and not line.startswith("#")
        match = RESOURCE.match(line)
        if match or top_level:
            if current:
                blocks.append((current[0], current[1], n))
                current = None
            if top_level:
                break
            current = (match["id"], n)
    return blocks


def version_for(text):
    return "1.0.%d" % int(hashlib.sha256(text.encode()).hexdigest()[:7], 16)


def with_versions(lines):
    lines = list(lines)
    blocks = resources(lines)
    kinds = {}
    for rid, first, end in blocks:
        kind = next((TYPE.match(l)["type"] for l in lines[first:end] if TYPE.match(l)), None)
        kinds[rid] = kind
    versions = {}
    for wanted in ("AWS::ImageBuilder::Component", "AWS::ImageBuilder::ImageRecipe"):
        for rid, first, end in blocks:
            if kinds[rid] != wanted:
                continue
            body = [l for l in lines[first:end] if not VERSION.match(l)]
            text = "\n".join(body)
            if wanted == "AWS::ImageBuilder::ImageRecipe":
                text += "".join(f"\n{ref}={versions[ref]}" for ref in COMPONENT_REF.findall(text) if ref in versions)
            else:
                check_data_size(rid, lines[first:end])
            versions[rid] = version_for(text)
            positions = [n for n in range(first, end) if VERSION.match(lines[n])]
            if len(positions) != 1:
                fail(f"{rid} needs exactly one '      Version:' line")
            lines[positions[0]] = f"      Version: {versions[rid]}"
    return lines


def check_data_size(rid, block):
    try:
        start = block.index("      Data: |") + 1
    except ValueError:
        fail(f"{rid} has no 'Data: |' block")
    data = "\n".join(l[8:] for l in block[start:]).rstrip("\n") + "\n"
    if len(data) > DATA_LIMIT:
        fail(f"{rid}: component document is {len(data)} characters, Image Builder accepts {DATA_LIMIT}")


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] not in ([], ["--check"]):
        sys.exit(__doc__)
    current = TEMPLATE.read_text()
    wanted = "\n".join(with_versions(embed(current.splitlines()))) + "\n"
    if check:
        if wanted != current:
            fail(f"{TEMPLATE.relative_to(ROOT)} does not match its scripts; run python3 scripts/image-template.py")
        print("image-template: ok", file=sys.stderr)
    elif wanted != current:
        TEMPLATE.write_text(wanted)
        print(f"image-template: rewrote {TEMPLATE.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
