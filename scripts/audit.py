"""Dependency audit for `make audit`: pip-audit over the pinned requirements, honest about what it could not check.

Fails on any known vulnerability. A package the vulnerability service has no record of (or an
unreachable service) is listed as NOT AUDITED; that fails only with AUDIT_STRICT=1, because some
CI sandboxes cannot reach a vulnerability database at all (see the README, "Security and reliability").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE = os.environ.get("AUDIT_SERVICE", "pypi")  # pypi or osv
STRICT = os.environ.get("AUDIT_STRICT", "0") == "1"


def main() -> int:
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--requirement",
        str(ROOT / "requirements.txt"),
        "--requirement",
        str(ROOT / "requirements-dev.txt"),
        "--no-deps",  # every requirement is pinned; audit exactly those versions
        "--disable-pip",
        "--vulnerability-service",
        SERVICE,
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603 (fixed arguments)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout + result.stderr, file=sys.stderr)
        print(f"AUDIT NOT RUN: pip-audit could not reach the {SERVICE} vulnerability service.", file=sys.stderr)
        return 1 if STRICT else 0
    audited, vulnerable, skipped = [], [], []
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            skipped.append(dep["skip_reason"])
        elif dep.get("vulns"):
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                vulnerable.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
        else:
            audited.append(dep["name"])
    counts = f"{len(audited)} audited clean, {len(vulnerable)} vulnerable, {len(skipped)} NOT AUDITED"
    print(f"pip-audit ({SERVICE}): {counts}")
    for line in vulnerable:
        print(f"  VULNERABLE  {line}")
    for line in skipped:
        print(f"  NOT AUDITED {line}")
    if vulnerable:
        return 1
    if skipped and STRICT:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
