"""Django's {# #} comments end on their own line; one spread over lines is printed on the page as text."""

from pathlib import Path

from django.conf import settings

TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]


def test_no_template_has_a_multi_line_short_comment():
    spread = [
        f"{path.relative_to(root)}:{number}"
        for root in TEMPLATE_DIRS
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert spread == [], "use {% comment %} for comments over several lines"


def test_the_product_page_shows_no_template_comment(clerk_client, product):
    response = clerk_client.get(f"/products/{product.product_id}/")
    assert response.status_code == 200
    assert "{#" not in response.text and "#}" not in response.text
