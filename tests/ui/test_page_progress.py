"""The live page says which page of a long file is being read ("page 2 of 3")."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fixtures.longdocs import scanned_pdf
from tests.ui.conftest import upload_and_process

pytestmark = pytest.mark.slow


def test_a_multi_page_scan_shows_page_n_of_m_while_it_is_read(page: Any, files: Any) -> None:
    """Given a 3-page scanned PDF, when it is processed, then while its row says Extracting it
    also says "page N of 3" with N moving past 1, and the words go away once the file is read."""
    upload_and_process(page, files(("long-scan.pdf", scanned_pdf(3))))
    label = page.locator("[data-testid=file-row] [data-testid=pages]")
    label.wait_for(timeout=300_000)
    assert re.fullmatch(r"page [1-3] of 3", label.text_content() or "")
    # Pages move on the live page (pushed events), without a reload.
    page.wait_for_function(
        """() => { const el = document.querySelector('[data-testid=file-row] [data-testid=pages]');
                   return el && /^page [23] of 3$/.test(el.textContent); }""", timeout=300_000)
    page.wait_for_selector("[data-testid=file-row][data-status=completed]", timeout=300_000)
    assert page.locator("[data-testid=file-row] [data-testid=pages]").count() == 0
