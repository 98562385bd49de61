"""`make bench` settings: the product's own, plus the naive baseline app, the bench's routes and templates.

The default settings (cqrs_demo.settings) install neither, so a production database never gets
the baseline's table and a production server has no /baseline/ or /bench/ routes.
"""

from cqrs_demo.settings import *  # noqa: F403
from cqrs_demo.settings import INSTALLED_APPS, env_bool

# As `make run` and compose: run_projectors feeds the ledger and stock per location (bench/projectors.py),
# so a command's figures count its own transaction only.
PROJECTORS_IN_PROCESS = env_bool("PROJECTORS_IN_PROCESS", False)
NOTIFY_NEW_EVENTS = env_bool("NOTIFY_NEW_EVENTS", not PROJECTORS_IN_PROCESS)

INSTALLED_APPS = [*INSTALLED_APPS, "baseline", "bench"]
ROOT_URLCONF = "bench.root_urls"
