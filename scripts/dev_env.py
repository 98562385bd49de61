"""Write the local development .env (`make run` does, when there is none) so manage.py works unexported.

Usage: python scripts/dev_env.py [PATH]   (default: .env in the project folder; an existing file is kept)
"""

import os
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

TEMPLATE = """\
# Local development settings, written by `make run`; read by cqrs_demo/settings.py (python-dotenv).
# Git-ignored and kept out of the Docker image. Real environment variables win over these lines.
# Any setting from the README's Configuration table may go here; delete the file to get a fresh one.
DEBUG=1
SECURE_SSL=0
SECRET_KEY={secret_key}
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqrs_demo
"""


def write(path: Path) -> bool:
    """Create the file with a new local key, readable by its owner only; False when it already exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as file:
        file.write(TEMPLATE.format(secret_key=secrets.token_urlsafe(50)))
    return True


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = Path(argv[1]) if len(argv) == 2 else BASE_DIR / ".env"
    if write(path):
        print(f"wrote {path}: DEBUG=1, SECURE_SSL=0 and a new local SECRET_KEY, for manage.py in development")
    else:
        print(f"kept {path} as it is")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
