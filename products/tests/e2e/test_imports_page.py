"""An import as a manager meets it: the problems show what the file had, the progress counts what is applied."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from products.tests.factories import UserFactory
from products.write import roles

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = b"sku,name,price\nN-1,Nut,1\nN-2,Bolt,abc\nN-3,Washer,2\nN-4,,3\nN-5,Pin,4\n"


def test_problems_show_the_bad_value_and_the_progress_counts_the_rows_being_applied(ui, new_page, db):
    UserFactory(username="manager", password="manager-pw", role=roles.INVENTORY_MANAGER)
    page = new_page(ui.viewport)
    log_in(page, "manager", then="/imports/")
    page.get_by_label(re.compile("^New products")).check()
    page.get_by_label("CSV file").set_input_files({"name": "nuts.csv", "mimeType": "text/csv", "buffer": CSV})
    page.get_by_role("button", name="Check the file").click()

    problems = page.locator("#issues-heading + * table")
    price = problems.get_by_role("row").filter(has_text="price")
    expect(price).to_contain_text("abc")  # what the file had, beside what is wrong with it
    expect(problems.get_by_role("row").filter(has_text="name")).to_contain_text("(empty)")

    page.get_by_role("button", name="Apply the 3 valid rows, skip 2").click()
    expect(page.get_by_role("status").filter(has_text="Applying 3 rows of nuts.csv")).to_be_visible()
    expect(page.locator("label[for=import-progress]")).to_contain_text("0 of 3 rows applied")
    expect(page.locator("#import-progress")).to_have_attribute("max", "3")
