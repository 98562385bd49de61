"""`make bench` settings: the product's own, plus the naive baseline app, the bench's routes and templates.

The default settings (cqrs_demo.settings) install neither, so a production database never gets
the baseline's table and a production server has no /baseline/ or /bench/ routes.
"""

from cqrs_demo.settings import *  # noqa: F403
from cqrs_demo.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "baseline", "bench"]
ROOT_URLCONF = "bench.root_urls"
