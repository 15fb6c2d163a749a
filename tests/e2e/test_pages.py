"""Every main page renders for a signed-in account at desktop and phone width, is saved as a
screenshot (artifacts/), and axe-core finds no serious or critical accessibility violations."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import connect_dev, shot

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [("marketplace", "/", "Marketplace"), ("loan", "/loans/{loan}", "Loan #{loan}"),
         ("loan-active", "/loans/{active}", "Loan #{active}"), ("portfolio", "/portfolio", "Portfolio"),
         ("borrow", "/borrow", "Ask for a loan"), ("my-loans", "/my-loans", "My loans"),
         ("verification", "/verify", "Verification centre"), ("score", "/score", "My credit score"),
         ("autolend", "/autolend", "Auto-lend"), ("stats", "/stats", "Statistics"),
         ("notifications", "/notifications", "Notifications")]


# Elements reaching past the right edge of the screen, outside any sideways-scrolling container.
WIDER_THAN_SCREEN = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= window.innerWidth + 1) continue;
    if (el.closest('.table-wrap, .chart, .sr-only')) continue;
    out.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)}px)`);
  }
  return out.slice(0, 5);
}"""


def serious_violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width,suffix", [(1280, ""), (390, "-phone")])
def test_main_pages_render_accessibly(browser, backend, seeded, width, suffix):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run toolchain/frontend_setup.sh")
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=backend)
    page = context.new_page()
    try:
        page.goto("/")
        connect_dev(page, 2)
        page.get_by_role("button", name="Sign in").first.click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        problems, sideways = {}, {}
        for name, path, heading in PAGES:
            ids = {"loan": seeded[0], "active": seeded[2]}
            page.goto("/#" + path.format(**ids))
            expect(page.get_by_role("heading", level=1, name=heading.format(**ids))).to_be_visible()
            page.wait_for_load_state("networkidle")
            expect(page.locator("[data-loading]")).to_have_count(0)  # components/ui.tsx Loading
            shot(page, name + suffix)
            wide = page.evaluate(WIDER_THAN_SCREEN)
            if wide or page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
                sideways[name] = wide or "the document is wider than the screen"
            found = serious_violations(page)
            if found:
                problems[name] = found
        assert not problems, problems
        assert not sideways, f"pages scroll sideways at {width}px: {sideways}"
    finally:
        context.close()


def test_keyboard_reaches_the_marketplace_filters(page, seeded):
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Marketplace")).to_be_visible()  # the app has rendered
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.closest('form.filters') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('form.filters') !== null"), "Tab never reached the filters"
